// TaskScope: structured concurrency for detached work. spawn() starts a child task that the
// scope owns; join() waits until every child finished; cancel() asks every registered
// Cancellable (streams, sessions) to make its pending operation fail, so children unwind by
// themselves. A child frame is destroyed only when it completes, never while suspended, so
// nothing resumes into freed memory. A scope must be joined before it is destroyed.
#pragma once

#include <coroutine>
#include <cstddef>

#include "core/task.h"

namespace ringress::core {

// Something a scope can cancel (an intrusive list node; unlinks itself when destroyed).
class Cancellable {
 public:
  Cancellable() = default;
  Cancellable(const Cancellable&) = delete;
  Cancellable& operator=(const Cancellable&) = delete;
  virtual void cancel() = 0;
  // Leaves the scope it was added to (if any), without being cancelled.
  void leave_scope() { unlink(); }

 protected:
  ~Cancellable() { unlink(); }

 private:
  friend class TaskScope;
  void unlink();
  Cancellable* prev_ = nullptr;
  Cancellable* next_ = nullptr;
  class TaskScope* scope_ = nullptr;
};

class TaskScope {
 public:
  TaskScope() = default;
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;
  ~TaskScope();

  // Starts `task` now (it runs until its first suspension before spawn returns).
  void spawn(Task<void> task);
  // Waits until all children finished.
  auto join() {
    struct Awaiter {
      TaskScope& s;
      bool await_ready() const noexcept { return s.children_ == 0; }
      void await_suspend(std::coroutine_handle<> h) noexcept { s.joiner_ = h; }
      void await_resume() const noexcept {}
    };
    return Awaiter{*this};
  }
  // Cancels every registered Cancellable; later registrations are cancelled at once.
  void cancel();
  bool cancelled() const { return cancelled_; }
  void add(Cancellable& c);
  std::size_t size() const { return children_; }

 private:
  friend class Cancellable;
  struct Child;
  static Child run_child(TaskScope* scope, Task<void> task);
  void child_done();

  std::size_t children_ = 0;
  std::coroutine_handle<> joiner_;
  Cancellable* head_ = nullptr;
  bool cancelled_ = false;
};

}  // namespace ringress::core
