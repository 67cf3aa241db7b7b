// Task<T>: a lazy coroutine. It starts when awaited. A task that finishes without suspending
// returns to its awaiter without resuming it from below (await_suspend returns false), and one
// that finishes later hands control back by symmetric transfer; so a loop of awaited tasks uses
// no stack depth whether or not the compiler turns symmetric transfer into tail calls (GCC does
// not at -O0 or under AddressSanitizer). Stack depth is bounded by the nesting of tasks. Frames
// come from the per-thread frame pool. Tasks must not throw: an exception escaping a task
// terminates the process (errors on the request path are values). A Task is owned by whoever holds
// it; a frame is destroyed only after it ran to completion, never while suspended (see TaskScope
// for detached work). Builds with assertions (debug, asan) check that rule: destroying a Task
// that started and has not finished aborts with a message, since whatever it waits for (an SQE
// whose user_data is in the frame, a timer, a waiter list) would resume freed memory later.
#pragma once

#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <utility>

#include "core/frame_pool.h"

#if !defined(NDEBUG) || defined(__SANITIZE_ADDRESS__)
#define RINGRESS_TASK_CHECKS 1
#else
#define RINGRESS_TASK_CHECKS 0
#endif

namespace ringress::core {

template <typename T = void>
class Task;

namespace detail {

struct PromiseBase {
  std::coroutine_handle<> continuation = std::noop_coroutine();
  bool starting_inline = false;  // true while the awaiter's await_suspend runs the task

  static void* operator new(std::size_t size) { return frame_alloc(size); }
  static void operator delete(void* p, std::size_t size) noexcept { frame_free(p, size); }

#if RINGRESS_TASK_CHECKS
  bool started = false;  // resumed at least once (then it may be suspended inside)
  struct InitialAwaiter {
    PromiseBase& p;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    void await_resume() const noexcept { p.started = true; }
  };
  InitialAwaiter initial_suspend() noexcept { return {*this}; }
#else
  std::suspend_always initial_suspend() noexcept { return {}; }
#endif
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      if (h.promise().starting_inline) return std::noop_coroutine();
      return h.promise().continuation;
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { std::terminate(); }
};

template <typename T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  template <typename U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  T take() { return std::move(*value); }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void take() noexcept {}
};

}  // namespace detail

template <typename T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle h) noexcept : h_(h) {}
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  bool valid() const { return bool(h_); }
  bool done() const { return h_ && h_.done(); }

  auto operator co_await() && noexcept {
    struct Awaiter {
      Handle h;
      bool await_ready() noexcept { return false; }
      bool await_suspend(std::coroutine_handle<> awaiting) noexcept {
        auto& p = h.promise();
        p.continuation = awaiting;
        p.starting_inline = true;
        h.resume();
        p.starting_inline = false;
        return !h.done();  // finished already: the awaiter goes on without suspending
      }
      T await_resume() { return h.promise().take(); }
    };
    return Awaiter{h_};
  }

  // For drivers (TaskScope, tests): the raw handle. Starting it is the caller's business.
  Handle handle() const { return h_; }
  T take_result() { return h_.promise().take(); }

 private:
  void reset() {
    if (!h_) return;
#if RINGRESS_TASK_CHECKS
    if (h_.promise().started && !h_.done()) {
      std::fputs(
          "ringress: a Task was destroyed while suspended (started, not finished): whatever it "
          "waits for would resume freed memory\n",
          stderr);
      std::abort();
    }
#endif
    h_.destroy();
    h_ = {};
  }
  Handle h_;
};

namespace detail {
template <typename T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace ringress::core
