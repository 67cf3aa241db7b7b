// One-shot io_uring operations as awaitables: `co_await io_op(prep, deadline)` fills one SQE
// with `prep`, suspends, and resumes with the CQE's result (>= 0, or -errno). With a deadline,
// a timer cancels the operation when it expires and the result is -ETIMEDOUT. The awaiter lives
// in the awaiting frame and is the SQE's user_data; the frame cannot go away before the CQE
// because it stays suspended until then.
#pragma once

#include <cerrno>
#include <coroutine>
#include <utility>

#include "core/reactor.h"

namespace ringress::core {

// Makes an in-flight operation fail early with -ECANCELED (or -ETIMEDOUT from a deadline).
class OpBase : public Completion {
 public:
  explicit OpBase(TimePoint deadline) : deadline_(deadline) {}
  OpBase(const OpBase&) = delete;
  OpBase& operator=(const OpBase&) = delete;

  void on_cqe(int res, uint32_t flags) override {
    if (timer_.queued()) Reactor::current().remove_timer(&timer_);
    result_ = (res == -ECANCELED && timed_out_) ? -ETIMEDOUT : res;
    flags_ = flags;
    Reactor::current().post(waiter_);
  }
  uint32_t cqe_flags() const { return flags_; }

 protected:
  void start(std::coroutine_handle<> h, io_uring_sqe* s) {
    waiter_ = h;
    io_uring_sqe_set_data(s, static_cast<Completion*>(this));
    if (deadline_ != kNoDeadline) {
      timer_.deadline = deadline_;
      timer_.context = this;
      timer_.fire = [](Timer* t) {
        auto* self = static_cast<OpBase*>(t->context);
        self->timed_out_ = true;
        Reactor::current().cancel(static_cast<Completion*>(self));
      };
      Reactor::current().add_timer(&timer_);
    }
  }
  int result_ = 0;

 private:
  TimePoint deadline_;
  Timer timer_;
  std::coroutine_handle<> waiter_;
  uint32_t flags_ = 0;
  bool timed_out_ = false;
};

template <typename Prep>
class IoOp : public OpBase {
 public:
  IoOp(Prep prep, TimePoint deadline) : OpBase(deadline), prep_(std::move(prep)) {}
  bool await_ready() const noexcept { return false; }
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
IoOp<Prep> io_op(Prep prep, TimePoint deadline = kNoDeadline) {
  return IoOp<Prep>(std::move(prep), deadline);
}

// Suspends until `deadline` (or until the reactor loop passes it).
class SleepUntil {
 public:
  explicit SleepUntil(TimePoint deadline) { timer_.deadline = deadline; }
  bool await_ready() const noexcept { return timer_.deadline <= Clock::now(); }
  void await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    timer_.context = this;
    timer_.fire = [](Timer* t) {
      Reactor::current().post(static_cast<SleepUntil*>(t->context)->waiter_);
    };
    Reactor::current().add_timer(&timer_);
  }
  void await_resume() const noexcept {}

 private:
  Timer timer_;
  std::coroutine_handle<> waiter_;
};

inline SleepUntil sleep_for(Duration d) { return SleepUntil(deadline_after(d)); }

// Lets other ready coroutines and completions run before continuing.
struct Yield {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { Reactor::current().post(h); }
  void await_resume() const noexcept {}
};

}  // namespace ringress::core
