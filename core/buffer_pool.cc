#include "core/buffer_pool.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/frame_pool.h"
#include "core/reactor.h"

namespace ringress::core {
namespace {
constexpr uint32_t kInitialRingTarget = 64;
constexpr uint32_t kMinRingTarget = 16;
constexpr uint32_t kReserve = 16;
// Heap given back in one period from which malloc is asked to return free pages to the
// kernel: freed chunks in the middle of an arena otherwise stay resident.
constexpr std::size_t kMallocTrimBytes = 256 * 1024;

const std::size_t kPageSize = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}  // namespace

BufferSlice::BufferSlice(const BufferSlice& o)
    : pool_(o.pool_), bid_(o.bid_), offset_(o.offset_), length_(o.length_) {
  if (pool_) pool_->add_ref(bid_);
}

BufferSlice& BufferSlice::operator=(const BufferSlice& o) {
  if (this != &o) {
    if (o.pool_) o.pool_->add_ref(o.bid_);
    reset();
    pool_ = o.pool_;
    bid_ = o.bid_;
    offset_ = o.offset_;
    length_ = o.length_;
  }
  return *this;
}

BufferSlice& BufferSlice::operator=(BufferSlice&& o) noexcept {
  if (this != &o) {
    reset();
    pool_ = std::exchange(o.pool_, nullptr);
    bid_ = o.bid_;
    offset_ = o.offset_;
    length_ = o.length_;
  }
  return *this;
}

BufferSlice BufferSlice::sub(uint32_t offset, uint32_t length) const {
  BufferSlice out(*this);
  out.offset_ += offset;
  out.length_ = length;
  return out;
}

void BufferSlice::append(const char* p, uint32_t n) {
  std::memcpy(pool_->writable(bid_) + offset_ + length_, p, n);
  length_ += n;
}

void BufferSlice::reset() {
  if (pool_) pool_->release(bid_);
  pool_ = nullptr;
  length_ = 0;
}

BufferPool::BufferPool(Reactor& reactor, uint32_t buffer_size, uint32_t count, Duration trim_period)
    : reactor_(reactor),
      buffer_size_(buffer_size),
      count_(count),
      ring_target_(count < kInitialRingTarget ? count : kInitialRingTarget),
      reserve_(count / 8 < kReserve ? count / 8 : kReserve),
      trim_period_(trim_period) {
  if (count == 0 || count > 32768 || (count & (count - 1)) != 0)
    throw std::invalid_argument("buffer count must be a power of two up to 32768");
  std::size_t data_bytes = std::size_t(buffer_size) * count;
  void* data =
      mmap(nullptr, data_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) throw std::runtime_error("mmap of receive buffers failed");
  base_ = static_cast<char*>(data);
  ring_bytes_ = sizeof(io_uring_buf) * count;
  void* ring =
      mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ring == MAP_FAILED) throw std::runtime_error("mmap of buffer ring failed");
  ring_ = static_cast<io_uring_buf_ring*>(ring);
  io_uring_buf_ring_init(ring_);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(ring_);
  reg.ring_entries = count;
  reg.bgid = kGroup;
  int rc = io_uring_register_buf_ring(reactor_.ring(), &reg, 0);
  if (rc != 0)
    throw std::runtime_error(std::string("io_uring_register_buf_ring: ") + std::strerror(-rc));
  refs_.assign(count, 0);
  state_.assign(count, 0);
  last_use_.assign(count, 0);
  free_.reserve(count);
  for (uint32_t i = count; i-- > 0;) free_.push_back(static_cast<uint16_t>(i));
  refill();
  if (trim_period_.count() > 0) {
    trim_timer_.context = this;
    trim_timer_.fire = [](Timer* t) {
      auto* self = static_cast<BufferPool*>(t->context);
      self->trim();
      self->trim_timer_.deadline = Clock::now() + self->trim_period_;
      self->reactor_.add_timer(&self->trim_timer_);
    };
    trim_timer_.deadline = Clock::now() + trim_period_;
    reactor_.add_timer(&trim_timer_);
  }
}

void BufferPool::refill() {
  int added = 0;
  const int mask = io_uring_buf_ring_mask(count_);
  while (in_ring_ < ring_target_ && free_.size() > reserve_) {
    uint16_t bid = free_.back();
    free_.pop_back();
    io_uring_buf_ring_add(ring_, base_ + std::size_t(bid) * buffer_size_, buffer_size_, bid, mask,
                          added++);
    state_[bid] |= kInRing;
    ++in_ring_;
  }
  if (added > 0) io_uring_buf_ring_advance(ring_, added);
}

void BufferPool::grow_ring() {
  // At most once per pass: every receive that found the ring empty in the same pass reports it.
  const uint64_t pass = reactor_.iterations();
  if (pass == grown_in_pass_) return;
  grown_in_pass_ = pass;
  ring_target_ = std::min(count_, std::max(ring_target_ + ring_target_ / 2, ring_for(pass_taken_)));
}

uint32_t BufferPool::ring_for(uint32_t pass) {
  const uint32_t want = pass + pass / 3;
  return std::max(kMinRingTarget, (want + kMinRingTarget - 1) / kMinRingTarget * kMinRingTarget);
}

void BufferPool::note_exhausted() {
  ++exhausted_;
  period_exhausted_ = true;
  grow_ring();
  refill();
}

void BufferPool::note_taken_from_ring() {
  const uint64_t pass = reactor_.iterations();
  if (pass != pass_) {
    pass_ = pass;
    pass_taken_ = 0;
  }
  if (++pass_taken_ > period_pass_high_) period_pass_high_ = pass_taken_;
  if (pass_taken_ * 4 > ring_target_ * 3) grow_ring();
}

void BufferPool::trim() {
  if (!period_exhausted_) {
    const uint32_t need = std::min(count_, ring_for(period_pass_high_));
    if (need < ring_target_) ring_target_ = std::max(need, ring_target_ / 2);
  }
  period_pass_high_ = 0;
  period_exhausted_ = false;
  // Buffers written before and not used during this whole period (returned in an earlier
  // one): their pages go back, in runs of neighbours. Also those waiting in the kernel's ring
  // when the ring defers task work: the kernel then fills them only inside io_uring_enter
  // with GETEVENTS on this thread, never during the madvise calls here (otherwise any syscall
  // may run a receive's task work, and a buffer filled then would lose its bytes).
  const bool ring_too = reactor_.features().defer_taskrun;
  uint32_t run = count_;
  for (uint32_t bid = 0; bid < count_; ++bid) {
    const uint8_t st = state_[bid];
    const bool idle = (st & kResident) && refs_[bid] == 0 && last_use_[bid] < period_ &&
                      (ring_too || !(st & kInRing));
    if (idle && run == count_) run = bid;
    if (!idle && run != count_) {
      give_back(run, bid);
      run = count_;
    }
  }
  if (run != count_) give_back(run, count_);
  ++period_;
  heap_given_back_ = frame_pool_trim();
  for (IdleTrimmer* t = trimmers_; t; t = t->next_trimmer_) heap_given_back_ += t->trim_idle();
  if (heap_given_back_ >= kMallocTrimBytes) ::malloc_trim(0);
}

void BufferPool::add_trimmer(IdleTrimmer* t) {
  if (t->trim_pool_) t->trim_pool_->remove_trimmer(t);
  t->trim_pool_ = this;
  t->next_trimmer_ = trimmers_;
  trimmers_ = t;
}

void BufferPool::remove_trimmer(IdleTrimmer* t) {
  for (IdleTrimmer** link = &trimmers_; *link; link = &(*link)->next_trimmer_) {
    if (*link == t) {
      *link = t->next_trimmer_;
      break;
    }
  }
  t->next_trimmer_ = nullptr;
  t->trim_pool_ = nullptr;
}

void BufferPool::give_back(uint32_t first, uint32_t end) {
  const auto lo = reinterpret_cast<uintptr_t>(base_) + std::size_t(first) * buffer_size_;
  const auto hi = reinterpret_cast<uintptr_t>(base_) + std::size_t(end) * buffer_size_;
  const uintptr_t from = (lo + kPageSize - 1) & ~(kPageSize - 1);
  const uintptr_t to = hi & ~(kPageSize - 1);
  if (from >= to) return;
  if (::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED) != 0) return;
  // A buffer smaller than a page, or sharing one with a neighbour in use, keeps its memory.
  for (uint32_t bid = first; bid < end; ++bid) {
    const uintptr_t b = reinterpret_cast<uintptr_t>(base_) + std::size_t(bid) * buffer_size_;
    if (b < from || b + buffer_size_ > to) continue;
    state_[bid] &= ~kResident;
    --resident_count_;
    ++given_back_;
  }
}

BufferPoolStats BufferPool::stats() const {
  BufferPoolStats s;
  s.capacity = count_;
  s.in_use = in_use();
  s.in_use_high = in_use_high_;
  s.in_ring = in_ring_;
  s.ring_target = ring_target_;
  s.resident = resident_count_;
  s.resident_high = resident_high_;
  s.given_back = given_back_;
  s.exhausted = exhausted_;
  return s;
}

BufferPool::~BufferPool() {
  while (trimmers_) remove_trimmer(trimmers_);
  if (trim_timer_.queued()) reactor_.remove_timer(&trim_timer_);
  io_uring_unregister_buf_ring(reactor_.ring(), kGroup);
  munmap(ring_, ring_bytes_);
  munmap(base_, std::size_t(buffer_size_) * count_);
}

void BufferPool::release(uint16_t bid) {
  if (--refs_[bid] == 0) recycle(bid);
}

void BufferPool::recycle(uint16_t bid) {
  last_use_[bid] = period_;
  free_.push_back(bid);
  refill();
  if (BufferWaiter* w = waiters_head_) {
    waiters_head_ = w->next_waiter_;
    if (!waiters_head_) waiters_tail_ = nullptr;
    w->next_waiter_ = nullptr;
    w->waiting_ = false;
    w->on_buffers_available();
  }
}

void BufferPool::wait_for_buffers(BufferWaiter* w) {
  if (w->waiting_) return;
  w->waiting_ = true;
  w->next_waiter_ = nullptr;
  if (waiters_tail_)
    waiters_tail_->next_waiter_ = w;
  else
    waiters_head_ = w;
  waiters_tail_ = w;
}

void BufferPool::cancel_wait(BufferWaiter* w) {
  if (!w->waiting_) return;
  BufferWaiter** link = &waiters_head_;
  BufferWaiter* prev = nullptr;
  while (*link && *link != w) {
    prev = *link;
    link = &(*link)->next_waiter_;
  }
  if (*link) {
    *link = w->next_waiter_;
    if (waiters_tail_ == w) waiters_tail_ = prev;
  }
  w->next_waiter_ = nullptr;
  w->waiting_ = false;
}

}  // namespace ringress::core
