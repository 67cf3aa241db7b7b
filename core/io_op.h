// One-shot io_uring operations as awaitables: `co_await io_op(prep, deadline, token)` fills one
// SQE with `prep`, suspends, and resumes with the CQE's result (>= 0, or -errno). With a
// deadline, a timer cancels the operation when it expires and the result is -ETIMEDOUT; with a
// CancelToken, cancelling the token cancels it and the result is -ECANCELED. Either way the
// awaiter still waits for the operation's CQE: it lives in the awaiting frame and is the SQE's
// user_data, and the frame cannot go away before the CQE because it stays suspended until then.
#pragma once

#include <cerrno>
#include <coroutine>
#include <cstdint>
#include <utility>

#include "core/cancel_token.h"
#include "core/reactor.h"

namespace ringress::core {

// Makes an in-flight operation fail early with -ETIMEDOUT (deadline) or -ECANCELED (token).
class OpBase : public Completion {
 public:
  OpBase(TimePoint deadline, CancelToken* token) : deadline_(deadline), token_(token) {}
  OpBase(const OpBase&) = delete;
  OpBase& operator=(const OpBase&) = delete;

  void on_cqe(int res, uint32_t flags) override {
    if (timer_.queued()) Reactor::current().remove_timer(&timer_);
    link_.leave_scope();
    if (res == -ECANCELED && stop_ == Stop::deadline)
      res = -ETIMEDOUT;
    else if (stop_ == Stop::token && (res == -ECANCELED || res == -EINTR))
      res = -ECANCELED;
    result_ = res;
    flags_ = flags;
    Reactor::current().post(waiter_);
  }
  uint32_t cqe_flags() const { return flags_; }

 protected:
  // The token was cancelled before the operation started: it is not submitted at all.
  bool cancelled_before_start() {
    if (!token_ || !token_->cancelled()) return false;
    result_ = -ECANCELED;
    return true;
  }
  void start(std::coroutine_handle<> h, io_uring_sqe* s) {
    waiter_ = h;
    io_uring_sqe_set_data(s, static_cast<Completion*>(this));
    if (deadline_ != kNoDeadline) {
      timer_.deadline = deadline_;
      timer_.context = this;
      timer_.fire = [](Timer* t) { static_cast<OpBase*>(t->context)->stop(Stop::deadline); };
      Reactor::current().add_timer(&timer_);
    }
    if (token_) {
      link_.op = this;
      token_->add(link_);
    }
  }
  int result_ = 0;

 private:
  enum class Stop : uint8_t { none, deadline, token };
  // Registered with the token while the operation is in flight.
  struct TokenLink final : Cancellable {
    OpBase* op = nullptr;
    void cancel() override { op->stop(Stop::token); }
  };
  // The first of deadline and token wins; the CQE still ends the wait.
  void stop(Stop why) {
    if (stop_ != Stop::none) return;
    stop_ = why;
    if (timer_.queued()) Reactor::current().remove_timer(&timer_);
    link_.leave_scope();
    Reactor::current().cancel(static_cast<Completion*>(this));
  }

  TimePoint deadline_;
  CancelToken* token_;
  Timer timer_;
  TokenLink link_;
  std::coroutine_handle<> waiter_;
  uint32_t flags_ = 0;
  Stop stop_ = Stop::none;
};

template <typename Prep>
class IoOp : public OpBase {
 public:
  IoOp(Prep prep, TimePoint deadline, CancelToken* token)
      : OpBase(deadline, token), prep_(std::move(prep)) {}
  bool await_ready() noexcept { return cancelled_before_start(); }
  void await_suspend(std::coroutine_handle<> h) {
    io_uring_sqe* s = Reactor::current().sqe();
    prep_(s);
    start(h, s);
  }
  int await_resume() const noexcept { return result_; }

 private:
  Prep prep_;
};

template <typename Prep>
IoOp<Prep> io_op(Prep prep, TimePoint deadline = kNoDeadline, CancelToken* token = nullptr) {
  return IoOp<Prep>(std::move(prep), deadline, token);
}

// Suspends until `deadline` (or until the reactor loop passes it): 0, or -ECANCELED when the
// token was cancelled first (then the timer is gone and the waiter resumes on the next loop
// iteration).
class SleepUntil {
 public:
  explicit SleepUntil(TimePoint deadline, CancelToken* token = nullptr) : token_(token) {
    timer_.deadline = deadline;
  }
  SleepUntil(const SleepUntil&) = delete;
  SleepUntil& operator=(const SleepUntil&) = delete;
  bool await_ready() noexcept {
    if (token_ && token_->cancelled()) {
      result_ = -ECANCELED;
      return true;
    }
    return timer_.deadline <= Clock::now();
  }
  void await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    timer_.context = this;
    timer_.fire = [](Timer* t) {
      auto* self = static_cast<SleepUntil*>(t->context);
      self->link_.leave_scope();
      Reactor::current().post(self->waiter_);
    };
    Reactor::current().add_timer(&timer_);
    if (token_) {
      link_.sleep = this;
      token_->add(link_);
    }
  }
  int await_resume() const noexcept { return result_; }

 private:
  struct TokenLink final : Cancellable {
    SleepUntil* sleep = nullptr;
    void cancel() override {
      Reactor::current().remove_timer(&sleep->timer_);
      sleep->result_ = -ECANCELED;
      Reactor::current().post(sleep->waiter_);
    }
  };
  Timer timer_;
  CancelToken* token_;
  TokenLink link_;
  std::coroutine_handle<> waiter_;
  int result_ = 0;
};

inline SleepUntil sleep_for(Duration d, CancelToken* token = nullptr) {
  return SleepUntil(deadline_after(d), token);
}

// Lets other ready coroutines and completions run before continuing.
struct Yield {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { Reactor::current().post(h); }
  void await_resume() const noexcept {}
};

}  // namespace ringress::core
