// Reactor: one io_uring per thread, and the loop that drives every coroutine on that thread.
//
// Each loop iteration: resume the coroutines made ready during the last one, submit all
// prepared SQEs and wait (one io_uring_enter) for completions or the earliest timer, reap CQEs
// in batches into the ready list, then fire expired timers. Completions never resume a
// coroutine from inside the CQ drain; they only post it.
//
// The rule every operation keeps: the object whose address is an SQE's user_data (a Completion)
// stays alive until that SQE's last CQE arrived, also after a cancel.
#pragma once

#include <liburing.h>

#include <coroutine>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/clock.h"
#include "core/task.h"
#include "core/timer_queue.h"

namespace ringress::core {

// Receives the CQEs of the SQEs that carry its address as user_data.
class Completion {
 public:
  virtual void on_cqe(int res, uint32_t flags) = 0;

 protected:
  ~Completion() = default;
};

struct ReactorOptions {
  unsigned sq_entries = 1024;
  unsigned cq_entries = 16384;  // multishot recv/accept can post many CQEs per SQE
};

// Which optional kernel features the ring got (probed at start, each with a fallback).
struct RingFeatures {
  bool single_issuer = false;
  bool defer_taskrun = false;
  bool coop_taskrun = false;
  bool ext_arg = false;
  bool recv_multishot = false;
  bool accept_multishot = false;
  bool registered_ring_fd = false;  // io_uring_enter names the ring by its registered index
  unsigned file_slots = 0;          // size of the sparse registered-file table (0: none)
};

class Reactor {
 public:
  explicit Reactor(ReactorOptions options = {});
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // The reactor of the calling thread (one must exist). Inline, and the pointer is constinit,
  // so a call is one thread-local load (no call, no TLS initialization check): every I/O
  // operation, timer and resumption asks for it.
  static Reactor& current() { return *current_; }
  static Reactor* current_or_null() { return current_; }

  // An SQE to fill; flushes the SQ to the kernel first if it is full.
  io_uring_sqe* sqe();
  // Submits an ASYNC_CANCEL for the operation(s) whose user_data is `target`.
  void cancel(const void* target);
  // Registered files. A socket's slot in the ring's file table is its descriptor number, so an
  // SQE names it by the same number and only adds IOSQE_FIXED_FILE (fixed_file()); the kernel
  // then skips the file lookup and its reference count on every operation. attach_file()
  // queues the registration (IORING_OP_FILES_UPDATE: submitted and run before every SQE
  // prepared after it); detach_file() queues its removal and must come before the descriptor
  // is closed, or the table would keep the socket open and hand a reused number the old file.
  // A descriptor beyond the table (or a kernel without sparse tables) stays unregistered.
  void attach_file(int fd);
  void detach_file(int fd);
  // Marks `s` (prepared for descriptor s->fd) as using the registered file when there is one.
  void fixed_file(io_uring_sqe* s) const {
    const auto fd = static_cast<unsigned>(s->fd);
    if (fd < attached_.size() && attached_[fd]) s->flags |= IOSQE_FIXED_FILE;
  }
  // Resumes `h` on the next loop iteration.
  void post(std::coroutine_handle<> h) { ready_.push_back(h); }

  void add_timer(Timer* t) { timers_.add(t); }
  void remove_timer(Timer* t) { timers_.remove(t); }

  // Runs `main` to completion, driving all I/O and timers of this thread meanwhile.
  void run(Task<void> main);
  template <typename T>
  T run(Task<T> main) {
    std::optional<T> out;
    run([](Task<T> t, std::optional<T>& o) -> Task<void> { o.emplace(co_await std::move(t)); }(
                                               std::move(main), out));
    return std::move(*out);
  }

  // Thread-safe: runs `fn` on this reactor's thread at its next iteration (wakes it up).
  void execute(std::function<void()> fn);

  // Objects that outlive their owner until a final CQE (orphaned multishot state) count
  // themselves here; run() keeps the loop turning until they are gone.
  void retain_teardown() { ++teardown_pending_; }
  void release_teardown() { --teardown_pending_; }

  const RingFeatures& features() const { return features_; }
  io_uring* ring() { return &ring_; }
  // Loop iterations and CQEs reaped since start; for tests and benchmarks.
  uint64_t iterations() const { return iterations_; }

 private:
  void setup_ring(const ReactorOptions& options);
  void run_ready();
  void wait_and_reap();
  void arm_wake_read();
  void drain_inbox();

  void register_file_table();
  const int* file_id(int fd);

  static constinit thread_local Reactor* current_;

  io_uring ring_{};
  RingFeatures features_;
  // attached_[fd]: slot fd holds descriptor fd's file. file_ids_ holds each slot's own number
  // (what an attach's FILES_UPDATE reads at submission), in chunks that never move.
  std::vector<uint8_t> attached_;
  std::vector<std::unique_ptr<int[]>> file_ids_;
  std::vector<std::coroutine_handle<>> ready_;
  std::vector<std::coroutine_handle<>> running_;
  TimerQueue timers_;
  uint64_t iterations_ = 0;

  int wake_fd_ = -1;
  uint64_t wake_value_ = 0;
  class WakeCompletion : public Completion {
   public:
    explicit WakeCompletion(Reactor* r) : reactor_(r) {}
    void on_cqe(int res, uint32_t flags) override;

   private:
    Reactor* reactor_;
  } wake_completion_{this};
  bool wake_armed_ = false;
  bool inbox_pending_ = false;
  std::mutex inbox_mutex_;
  std::vector<std::function<void()>> inbox_;
  uint64_t teardown_pending_ = 0;
};

}  // namespace ringress::core
