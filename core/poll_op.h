// PollWait: a wait until a socket is readable or hung up (one POLL_ADD for POLLIN | POLLRDHUP)
// as an awaitable, with a deadline, that a CancelToken (or a TaskScope) ends early.
// `co_await PollWait(fd, deadline, token)` resumes with the poll's revents (> 0), -ETIMEDOUT when
// the deadline passed first, -ECANCELED when the token was cancelled first (or before the wait
// began: then nothing is submitted), or -errno. What io_op() with a token does, in ~90 bytes
// instead of ~130: the wait is itself the token's Cancellable and its timer holds the deadline. It
// is what a parked HTTP connection waits in, and a parked connection is little more than this (see
// docs/design.md, "Request memory"). Like io_op(), it lives in the awaiting frame, which stays
// suspended until the CQE arrived.
#pragma once

#include <poll.h>

#include <cerrno>
#include <coroutine>
#include <cstdint>

#include "core/cancel_token.h"
#include "core/reactor.h"

namespace ringress::core {

class PollWait final : public Completion, public Cancellable {
 public:
  PollWait(int fd, TimePoint deadline, CancelToken& token) : fd_(fd) {
    timer_.deadline = deadline;
    timer_.context = this;
    timer_.fire = [](Timer* t) { static_cast<PollWait*>(t->context)->stop(Stop::deadline); };
    token.add(*this);  // cancelled already: cancel() runs now and the wait never starts
  }
  PollWait(const PollWait&) = delete;
  PollWait& operator=(const PollWait&) = delete;

  bool await_ready() const noexcept { return stop_ == Stop::token; }
  void await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    io_uring_sqe* s = Reactor::current().sqe();
    io_uring_prep_poll_add(s, fd_, POLLIN | POLLRDHUP);
    io_uring_sqe_set_data(s, static_cast<Completion*>(this));
    if (timer_.deadline != kNoDeadline) Reactor::current().add_timer(&timer_);
  }
  int await_resume() const noexcept {
    if (stop_ == Stop::token && (!waiter_ || result_ == -ECANCELED)) return -ECANCELED;
    if (stop_ == Stop::deadline && result_ == -ECANCELED) return -ETIMEDOUT;
    return result_;
  }

  void on_cqe(int res, uint32_t) override {
    if (timer_.queued()) Reactor::current().remove_timer(&timer_);
    leave_scope();
    result_ = res;
    Reactor::current().post(waiter_);
  }
  void cancel() override { stop(Stop::token); }

 private:
  enum class Stop : uint8_t { none, deadline, token };
  // The first of deadline and token wins; the CQE still ends the wait.
  void stop(Stop why) {
    if (stop_ != Stop::none) return;
    stop_ = why;
    if (timer_.queued()) Reactor::current().remove_timer(&timer_);
    leave_scope();
    if (waiter_) Reactor::current().cancel(static_cast<Completion*>(this));
  }

  Timer timer_;
  std::coroutine_handle<> waiter_;
  int fd_;
  int result_ = 0;
  Stop stop_ = Stop::none;
};

}  // namespace ringress::core
