// BufferPool: a worker's receive buffers, registered with its ring as a provided-buffer ring
// (group 0). The kernel picks a buffer only when data arrives, so an idle connection owns none.
// Only a few buffers sit in the kernel's ring at a time, refilled from a LIFO stack of free
// ones, so the buffers in use are the recently used, cache-warm ones (a FIFO over the whole pool
// made every copy touch cold memory).
// A received buffer is handed out as a BufferSlice; when the last slice of a buffer is
// destroyed, the buffer goes back to the ring. When the ring runs dry, multishot receives stop
// with -ENOBUFS and wait here (BufferWaiter) until a buffer returns: that is backpressure.
//
// Memory follows the load, not the configured count (the ceiling): the pool is one mapping that
// the kernel backs page by page as buffers are first written. Every buffer kept in the ring
// gets written as the kernel rotates through it, so the ring is kept a third larger than the
// largest pass of the kernel: it grows by half (or to that) when a pass took more than three
// quarters of it (or emptied it), and shrinks at most by half per trim period to what the
// period's largest pass needed; buffers that were not used during a whole trim period
// (1 s by default) are given back to the kernel (MADV_DONTNEED), so a burst's memory returns
// once it is over. See docs/design.md, "The buffer pool's growth rule".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <liburing.h>

#include "core/clock.h"
#include "core/timer_queue.h"

namespace ringress::core {

class Reactor;
class BufferPool;

// Something waiting for receive buffers to come back (an intrusive FIFO node).
class BufferWaiter {
 public:
  virtual void on_buffers_available() = 0;

 protected:
  ~BufferWaiter() = default;

 private:
  friend class BufferPool;
  BufferWaiter* next_waiter_ = nullptr;
  bool waiting_ = false;
};

// Something on the pool's thread that keeps memory for reuse (a free list of request state):
// at the end of each trim period the pool calls trim_idle(), which gives back what the whole
// period did not use and returns about how many bytes that was. So a worker's heap follows the
// load at the same pace as its buffers; when the caches and the frame pool gave back enough,
// the pool also has malloc return the free pages (malloc_trim).
class IdleTrimmer {
 public:
  virtual std::size_t trim_idle() = 0;
  // The pool this is registered with (null when none, or when that pool was destroyed).
  BufferPool* trim_pool() const { return trim_pool_; }

 protected:
  ~IdleTrimmer() = default;

 private:
  friend class BufferPool;
  IdleTrimmer* next_trimmer_ = nullptr;
  BufferPool* trim_pool_ = nullptr;
};

// A counted reference to bytes [offset, offset+length) of one pool buffer.
class BufferSlice {
 public:
  BufferSlice() = default;
  BufferSlice(BufferPool* pool, uint16_t bid, uint32_t offset, uint32_t length)
      : pool_(pool), bid_(bid), offset_(offset), length_(length) {}
  BufferSlice(const BufferSlice& o);
  BufferSlice& operator=(const BufferSlice& o);
  BufferSlice(BufferSlice&& o) noexcept
      : pool_(std::exchange(o.pool_, nullptr)),
        bid_(o.bid_),
        offset_(o.offset_),
        length_(o.length_) {}
  BufferSlice& operator=(BufferSlice&& o) noexcept;
  ~BufferSlice() { reset(); }

  const char* data() const;
  uint32_t size() const { return length_; }
  bool empty() const { return length_ == 0; }
  std::string_view view() const { return {data(), length_}; }
  // Drops the first n bytes (n <= size()).
  void consume(uint32_t n) {
    offset_ += n;
    length_ -= n;
  }
  BufferSlice sub(uint32_t offset, uint32_t length) const;
  void reset();
  // Whether this is the only reference to its buffer; then the whole buffer may be refilled:
  // writable_buffer() is its start and rewind(n) makes this slice its first n bytes.
  bool unique() const;
  char* writable_buffer();
  void rewind(uint32_t length) {
    offset_ = 0;
    length_ = length;
  }
  // Bytes free right after this slice in its buffer when it is the only reference (nobody else
  // can see them then); 0 when shared. A receive queue packs small receives there (append).
  uint32_t room() const;
  // Copies [p, p+n) right after the slice and grows it to cover them; requires n <= room().
  void append(const char* p, uint32_t n);

 private:
  BufferPool* pool_ = nullptr;
  uint16_t bid_ = 0;
  uint32_t offset_ = 0;
  uint32_t length_ = 0;
};

// What a pool holds and has held, in buffers (for stats output and tests).
struct BufferPoolStats {
  uint32_t capacity = 0;       // buffers_per_worker: the ceiling
  uint32_t in_use = 0;         // held by slices now
  uint32_t in_use_high = 0;    // the most held at once since start
  uint32_t in_ring = 0;        // provided to the kernel now
  uint32_t ring_target = 0;    // how many the ring is refilled to
  uint32_t resident = 0;       // written since start or since last given back: backed by memory
  uint32_t resident_high = 0;  // the most resident at once since start
  uint64_t given_back = 0;     // buffers whose memory went back to the kernel, in all
  uint64_t exhausted = 0;      // receives that found the kernel's ring empty (-ENOBUFS)
};

class BufferPool {
 public:
  static constexpr uint16_t kGroup = 0;
  static constexpr Duration kDefaultTrimPeriod = std::chrono::seconds(1);

  // count must be a power of two (<= 32768). Every `trim_period` the pool runs trim() on its
  // own (a zero period: only when called).
  BufferPool(Reactor& reactor, uint32_t buffer_size, uint32_t count,
             Duration trim_period = kDefaultTrimPeriod);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // The kernel filled buffer `bid` with `length` bytes.
  BufferSlice take(uint16_t bid, uint32_t length) {
    refs_[bid] = 1;
    state_[bid] &= ~kInRing;
    mark_written(bid);
    --in_ring_;
    note_in_use();
    note_taken_from_ring();
    refill();
    return BufferSlice(this, bid, 0, length);
  }
  // A free buffer for the caller to fill (TLS puts decrypted bytes there), outside the kernel's
  // ring; false when none is free. Fill writable(bid), then hand it out with adopt(). A few
  // buffers are kept out of the kernel's ring for this (reserve), so a burst that fills the
  // ring cannot leave such callers waiting forever.
  bool acquire(uint16_t& bid) {
    if (free_.empty()) return false;
    bid = free_.back();
    free_.pop_back();
    return true;
  }
  char* writable(uint16_t bid) { return base_ + std::size_t(bid) * buffer_size_; }
  // The first `length` bytes of an acquired buffer as a slice (length 0 gives it back).
  BufferSlice adopt(uint16_t bid, uint32_t length) {
    if (length == 0) {
      recycle(bid);
      return {};
    }
    refs_[bid] = 1;
    mark_written(bid);
    note_in_use();
    return BufferSlice(this, bid, 0, length);
  }
  // A receive found the kernel's ring empty: provide more buffers at a time from now on.
  void note_exhausted();
  // Waits for buffers; on_buffers_available() runs when at least one came back.
  void wait_for_buffers(BufferWaiter* w);
  void cancel_wait(BufferWaiter* w);

  uint32_t buffer_size() const { return buffer_size_; }
  uint32_t count() const { return count_; }
  uint32_t available() const { return in_ring_ + static_cast<uint32_t>(free_.size()); }
  // Buffers held by slices (received or adopted, not yet given back).
  uint32_t in_use() const { return count_ - available(); }
  // Buffers a receive can get: in the kernel's ring, or free beyond the reserve.
  uint32_t receivable() const {
    auto free = static_cast<uint32_t>(free_.size());
    return in_ring_ + (free > reserve_ ? free - reserve_ : 0);
  }
  uint32_t ring_target() const { return ring_target_; }
  uint32_t reserve() const { return reserve_; }
  const char* buffer(uint16_t bid) const { return base_ + std::size_t(bid) * buffer_size_; }
  BufferPoolStats stats() const;

  // One trim period ended: shrinks the ring target when the period's largest kernel pass
  // needed less than it, and gives back the memory of buffers not used during the period; then
  // the thread's frame pool and the registered trimmers give back what they kept unused.
  void trim();
  // `t` is trimmed with the pool from now on, until remove_trimmer(t) or the pool's end.
  void add_trimmer(IdleTrimmer* t);
  void remove_trimmer(IdleTrimmer* t);
  // Bytes the trimmers and the frame pool gave back during the last trim().
  std::size_t heap_given_back() const { return heap_given_back_; }

 private:
  friend class BufferSlice;
  void add_ref(uint16_t bid) { ++refs_[bid]; }
  void release(uint16_t bid);
  void recycle(uint16_t bid);
  void refill();
  void mark_written(uint16_t bid) {
    if (!(state_[bid] & kResident)) {
      state_[bid] |= kResident;
      if (++resident_count_ > resident_high_) resident_high_ = resident_count_;
    }
  }
  void note_in_use() {
    if (in_use() > in_use_high_) in_use_high_ = in_use();
  }
  // Counts the buffers the kernel took in one pass (one reactor iteration); a pass that took
  // more than three quarters of the ring grows it before the next one can empty it.
  void note_taken_from_ring();
  void grow_ring();
  // The ring for passes of `pass` buffers: a third more, in steps of 16.
  static uint32_t ring_for(uint32_t pass);
  void give_back(uint32_t first, uint32_t end);

  Reactor& reactor_;
  uint32_t buffer_size_;
  uint32_t count_;
  uint32_t in_ring_ = 0;        // buffers the kernel may fill now
  uint32_t ring_target_;        // how many to keep there
  uint32_t reserve_;            // free buffers the ring leaves for acquire()
  std::vector<uint16_t> free_;  // the others, most recently freed last
  char* base_ = nullptr;
  io_uring_buf_ring* ring_ = nullptr;
  std::size_t ring_bytes_ = 0;
  std::vector<uint32_t> refs_;
  static constexpr uint8_t kResident = 1;  // written since mapped or given back
  static constexpr uint8_t kInRing = 2;    // provided to the kernel, not yet taken
  std::vector<uint8_t> state_;
  std::vector<uint32_t> last_use_;  // trim period in which the buffer was last returned
  uint32_t period_ = 1;             // the current trim period, counted from 1
  uint32_t resident_count_ = 0;
  uint32_t resident_high_ = 0;
  uint32_t in_use_high_ = 0;
  uint64_t given_back_ = 0;
  uint64_t exhausted_ = 0;
  uint64_t pass_ = 0;              // the reactor iteration of the current kernel pass
  uint32_t pass_taken_ = 0;        // buffers taken from the ring in it
  uint32_t period_pass_high_ = 0;  // the most taken in one pass during this trim period
  uint64_t grown_in_pass_ = UINT64_MAX;
  bool period_exhausted_ = false;
  Duration trim_period_;
  Timer trim_timer_;
  BufferWaiter* waiters_head_ = nullptr;
  BufferWaiter* waiters_tail_ = nullptr;
  IdleTrimmer* trimmers_ = nullptr;
  std::size_t heap_given_back_ = 0;
};

inline const char* BufferSlice::data() const { return pool_->buffer(bid_) + offset_; }
inline bool BufferSlice::unique() const { return pool_ && pool_->refs_[bid_] == 1; }
inline char* BufferSlice::writable_buffer() { return pool_->writable(bid_); }
inline uint32_t BufferSlice::room() const {
  return unique() ? pool_->buffer_size() - offset_ - length_ : 0;
}

}  // namespace ringress::core
