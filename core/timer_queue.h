// TimerQueue: an indexed binary min-heap of intrusive timers. The reactor waits for the
// earliest deadline with a single kernel timeout and fires expired timers each iteration.
// Timers live inside coroutine frames or connection objects; they must be removed before their
// owner goes away (the awaitables that use them do this on every path).
#pragma once

#include <cstddef>
#include <vector>

#include "core/clock.h"

namespace ringress::core {

struct Timer {
  using Callback = void (*)(Timer*);
  TimePoint deadline = kNoDeadline;
  Callback fire = nullptr;
  void* context = nullptr;
  std::size_t heap_index = kNotQueued;
  static constexpr std::size_t kNotQueued = static_cast<std::size_t>(-1);
  bool queued() const { return heap_index != kNotQueued; }
};

class TimerQueue {
 public:
  TimerQueue() { heap_.reserve(1024); }
  void add(Timer* t);
  void remove(Timer* t);
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  TimePoint earliest() const { return heap_.empty() ? kNoDeadline : heap_.front()->deadline; }
  // Removes and fires every timer due at or before `now`. Callbacks may add or remove timers.
  void fire_expired(TimePoint now);

 private:
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);
  void swap_at(std::size_t a, std::size_t b);
  std::vector<Timer*> heap_;
};

}  // namespace ringress::core
