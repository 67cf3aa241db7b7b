// Channel<T>: a value-typed message queue from any thread to the coroutines of one reactor (its
// receiver), with its own eventfd read through the receiver's ring.
//
// send() may be called from any thread: it appends the message under a mutex and, when the
// receiver was not already woken, writes the eventfd once. The receiver's loop (receive())
// takes everything queued in one swap and hands it to its handler as one batch, in the order
// the messages were sent (per sender; across senders, in the order they took the mutex). So a
// burst of sends costs one wake-up and one handler call, and in steady state nothing allocates:
// the two buffers swap and keep their capacity.
//
// Used between the control loop (app/control_loop.h) and the workers (app/worker_registry.h):
// host-set snapshots one way, per-host outcome batches the other. Senders on a request path do
// not call send() per request: they gather locally and send from a coroutine of their own.
//
// Lifetime: the channel outlives every sender and its receive() loop; receive() ends when its
// token is cancelled, after handing over what was queued by then.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/cancel_token.h"
#include "core/io_op.h"
#include "core/task.h"

namespace ringress::core {

template <typename T>
class Channel {
 public:
  Channel() {
    fd_ = ::eventfd(0, EFD_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  }
  ~Channel() { ::close(fd_); }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Any thread.
  void send(T message) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      queued_.push_back(std::move(message));
      wake = !woken_;
      woken_ = true;
    }
    if (wake) {
      uint64_t one = 1;
      ssize_t n = ::write(fd_, &one, sizeof(one));
      (void)n;
    }
  }

  // The receiver's thread: calls handler(std::span<T>) with each batch until `stop` is
  // cancelled, then once more with what was queued by then (if anything).
  template <typename Handler>
  Task<void> receive(Handler handler, CancelToken& stop) {
    uint64_t value = 0;
    for (;;) {
      int rc = co_await io_op(
          [this, &value](io_uring_sqe* s) { io_uring_prep_read(s, fd_, &value, sizeof(value), 0); },
          kNoDeadline, &stop);
      deliver(handler);
      if (rc < 0 && stop.cancelled()) co_return;
    }
  }

  // The receiver's thread: hands over what is queued now, without waiting.
  template <typename Handler>
  void deliver(Handler& handler) {
    {
      std::lock_guard lock(mutex_);
      taken_.swap(queued_);
      woken_ = false;
    }
    if (!taken_.empty()) handler(std::span<T>(taken_));
    taken_.clear();
  }

 private:
  int fd_ = -1;
  std::mutex mutex_;
  std::vector<T> queued_;  // guarded by mutex_
  bool woken_ = false;     // guarded by mutex_: the eventfd was written since the last take
  std::vector<T> taken_;   // the receiver's
};

}  // namespace ringress::core
