// Event: a one-shot signal between coroutines of one thread. wait() resumes (via the reactor's
// ready list) once set() was called; it is for lifecycle signals such as "drain now".
#pragma once

#include <coroutine>
#include <utility>

#include "core/reactor.h"

namespace ringress::core {

class Event {
 public:
  void set() {
    set_ = true;
    if (waiter_) Reactor::current().post(std::exchange(waiter_, {}));
  }
  bool is_set() const { return set_; }
  auto wait() {
    struct Awaiter {
      Event& e;
      bool await_ready() const noexcept { return e.set_; }
      void await_suspend(std::coroutine_handle<> h) noexcept { e.waiter_ = h; }
      void await_resume() const noexcept {}
    };
    return Awaiter{*this};
  }

 private:
  bool set_ = false;
  std::coroutine_handle<> waiter_;
};

}  // namespace ringress::core
