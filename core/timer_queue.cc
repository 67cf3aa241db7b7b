#include "core/timer_queue.h"

#include <utility>

namespace ringress::core {

void TimerQueue::swap_at(std::size_t a, std::size_t b) {
  std::swap(heap_[a], heap_[b]);
  heap_[a]->heap_index = a;
  heap_[b]->heap_index = b;
}

void TimerQueue::sift_up(std::size_t i) {
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (heap_[parent]->deadline <= heap_[i]->deadline) break;
    swap_at(i, parent);
    i = parent;
  }
}

void TimerQueue::sift_down(std::size_t i) {
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t smallest = i, l = 2 * i + 1, r = 2 * i + 2;
    if (l < n && heap_[l]->deadline < heap_[smallest]->deadline) smallest = l;
    if (r < n && heap_[r]->deadline < heap_[smallest]->deadline) smallest = r;
    if (smallest == i) return;
    swap_at(i, smallest);
    i = smallest;
  }
}

void TimerQueue::add(Timer* t) {
  if (t->queued()) remove(t);
  t->heap_index = heap_.size();
  heap_.push_back(t);
  sift_up(t->heap_index);
}

void TimerQueue::remove(Timer* t) {
  if (!t->queued()) return;
  std::size_t i = t->heap_index;
  std::size_t last = heap_.size() - 1;
  if (i != last) swap_at(i, last);
  heap_.pop_back();
  t->heap_index = Timer::kNotQueued;
  if (i < heap_.size()) {
    sift_down(i);
    sift_up(i);
  }
}

void TimerQueue::fire_expired(TimePoint now) {
  while (!heap_.empty() && heap_.front()->deadline <= now) {
    Timer* t = heap_.front();
    remove(t);
    t->fire(t);
  }
}

}  // namespace ringress::core
