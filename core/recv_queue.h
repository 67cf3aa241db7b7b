// RecvQueue: the receive side of one connection, a multishot recv over the worker's provided
// buffers. The kernel keeps delivering into pool buffers while the multishot stays armed; the
// queue holds what arrived until the reader takes it. Every receive takes a whole buffer
// whatever its size, so the queue is charged in buffers, not bytes: it holds at most
// high_watermark / buffer_size of them (at least one), and at most high_watermark bytes. When
// full, the multishot is cancelled and re-armed once the reader took some, so a connection
// whose reader is busy elsewhere holds a bounded share of the pool whatever its peer sends.
// A small receive (up to a quarter of a buffer) is copied into the free tail of the newest
// queued buffer when it fits, and its own buffer goes back at once: a peer that sends one byte
// per TCP segment fills one buffer with thousands of them instead of pinning one per byte.
// The multishot is armed with a byte limit (Linux 6.17's total limit of a multishot receive):
// the room left under kBurstWatermarks watermarks, so the kernel ends it there itself and one
// pass cannot hand a connection more than that, whoever reads: a reader that keeps up gets up
// to two watermarks (128 KiB by default) per arm, and one that reads nothing holds at most two
// (at most its share of buffers while they hold less than one watermark). Two is the measured
// compromise (benchmarks/README.md): one watermark per arm costs a bulk relay more CPU (twice
// the re-arms and smaller writes, and a 64 KiB request body plus its head takes two arms);
// four held 50 busy 1 MiB responses at 33 MiB (two: 21, one: 14; nginx 17-25).
// An older kernel refuses the limit (-EINVAL): then the queue arms
// without one and cancels when full; a multishot keeps completing after the cancel until the
// kernel sees it (a burst): those receives are queued (and packed) too, and the queue re-arms
// only once below its limit again.
// When the pool is empty (-ENOBUFS) it waits for a buffer to come back, then re-arms.
//
// It is heap-allocated (from the frame pool) because it may outlive its owner: the owner calls
// detach(), and the queue frees itself when its last CQE arrives.
#pragma once

#include <coroutine>
#include <cstdint>

#include "core/buffer_pool.h"
#include "core/reactor.h"
#include "core/slice_queue.h"

namespace ringress::core {

// What a read returns: data, or end of stream (error == 0 and data empty), or -errno.
struct ReadResult {
  int error = 0;
  BufferSlice data;
  bool eof() const { return error == 0 && data.empty(); }
};

// Told when the peer closes or resets while nobody reads (an idle pooled connection). The call
// is the last thing the queue does in that completion, so the listener may destroy the stream.
class PeerCloseListener {
 public:
  virtual void on_peer_closed() = 0;

 protected:
  ~PeerCloseListener() = default;
};

class RecvQueue final : public Completion, public BufferWaiter {
 public:
  RecvQueue(int fd, BufferPool& pool, uint32_t high_watermark);
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size) noexcept;

  class ReadAwaiter {
   public:
    ReadAwaiter(RecvQueue& q, TimePoint deadline) : q_(q), deadline_(deadline) {}
    bool await_ready() const noexcept { return q_.ready(); }
    void await_suspend(std::coroutine_handle<> h);
    ReadResult await_resume();

   private:
    RecvQueue& q_;
    TimePoint deadline_;
  };
  ReadAwaiter read(TimePoint deadline) { return ReadAwaiter(*this, deadline); }
  // The next queued slice without waiting, or an empty one when nothing is queued.
  BufferSlice try_take();

  // Stops the multishot receive and waits for its last completion, so that no byte can arrive
  // in the queue after it. Resumes true when something is queued (data, end of stream, an
  // error): the queue then receives again and the owner serves it; false when nothing is: the
  // kernel keeps whatever comes next in the socket, and the owner may hand the socket on (a
  // parked HTTP connection polls it). Needs no reader waiting.
  class QuiesceAwaiter {
   public:
    explicit QuiesceAwaiter(RecvQueue& q) : q_(q) {}
    bool await_ready();
    void await_suspend(std::coroutine_handle<> h) { q_.reader_ = h; }
    bool await_resume();

   private:
    RecvQueue& q_;
  };
  QuiesceAwaiter quiesce() { return QuiesceAwaiter(*this); }

  // Makes the current and every later read fail with -ECANCELED.
  void cancel();
  // A waiting read returns -EAGAIN now (nothing queued, no error): see Stream::interrupt_read.
  void interrupt() { wake_reader(); }
  // The owner lets go: the queue frees itself now or when its last CQE arrives.
  void detach();
  // The peer closed or reset (an idle pooled connection watches for this).
  bool closed_by_peer() const { return eof_ || error_ != 0; }
  uint32_t queued_bytes() const { return queued_bytes_; }
  // Pool buffers the queue holds.
  std::size_t queued_buffers() const { return items_.size(); }
  // The most it holds before it stops re-arming (one armed receive may fill up to
  // kBurstWatermarks times that; without the kernel's limit, a few more after the cancel).
  uint32_t max_buffers() const { return max_buffers_; }
  bool has_data() const { return !items_.empty(); }
  void set_close_listener(PeerCloseListener* l) { close_listener_ = l; }
  // Holds at most `bytes` (but never more than the watermark it was built with; 0: that one
  // again): what the reader does not take yet waits in the socket. At once: a receive armed
  // under a larger limit is cancelled when the queue passes the new one.
  void cap_watermark(uint32_t bytes);

  // The byte limit of one multishot receive, in watermarks (see the top of this file).
  static constexpr uint32_t kBurstWatermarks = 2;
  // Whether this thread's kernel took the byte limit on the receives armed so far.
  static bool limits_receives();

  void on_cqe(int res, uint32_t flags) override;
  void on_buffers_available() override { maybe_arm(); }

 private:
  bool ready() const { return !items_.empty() || eof_ || error_ || cancelled_; }
  bool full() const { return items_.size() >= max_buffers_ || queued_bytes_ >= high_watermark_; }
  // With the kernel's byte limit the queue receives up to kBurstWatermarks watermarks (a
  // limited multishot ends there by itself), but stops at its share of buffers when they hold
  // less than a watermark (small segments would pin a buffer each).
  bool burst_full() const {
    return items_.size() >= kBurstWatermarks * max_buffers_ ||
           queued_bytes_ >= kBurstWatermarks * high_watermark_ ||
           (items_.size() >= max_buffers_ && queued_bytes_ < high_watermark_);
  }
  // The limit a multishot is armed with: the room under kBurstWatermarks watermarks.
  uint32_t room() const;
  void enqueue(BufferSlice slice);
  void maybe_arm();
  void wake_reader();
  void destroy();

  int fd_;
  BufferPool& pool_;
  uint32_t configured_watermark_;
  uint32_t high_watermark_;
  uint32_t max_buffers_;
  uint32_t pack_limit_;  // receives up to this size are copied into the newest buffer's tail
  SliceQueue items_;
  uint32_t queued_bytes_ = 0;
  int error_ = 0;
  bool eof_ = false;
  bool armed_ = false;
  bool limited_ = false;  // armed with a byte limit
  bool pause_requested_ = false;
  bool cancelled_ = false;
  bool detached_ = false;
  bool quiescing_ = false;  // quiesce() waits for the last completion: nothing re-arms
  bool timed_out_ = false;
  std::coroutine_handle<> reader_;
  Timer read_timer_;
  PeerCloseListener* close_listener_ = nullptr;
};

}  // namespace ringress::core
