// TaskScope: structured concurrency for detached work. spawn() starts a child task that the
// scope owns; join() waits until every child finished; cancel() cancels the scope's token, so
// every registered Cancellable (streams, sessions, the waits of children that took token())
// makes its pending operation fail and the children unwind by themselves. A child frame is
// destroyed only when it completes, never while suspended, so nothing resumes into freed
// memory. A scope must be joined before it is destroyed.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>

#include "core/cancel_token.h"
#include "core/task.h"

namespace ringress::core {

class TaskScope {
 public:
  TaskScope() = default;
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;
  ~TaskScope();

  // Starts `task` now (it runs until its first suspension before spawn returns). With `count`
  // (and `also`), *count is one higher while the task runs (kept in the child's own frame: a
  // connection parked for hours costs no extra frame for being counted).
  void spawn(Task<void> task, uint32_t* count = nullptr, uint32_t* also = nullptr);
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
  void cancel() { token_.cancel(); }
  bool cancelled() const { return token_.cancelled(); }
  void add(Cancellable& c) { token_.add(c); }
  // The scope's token, for waits of its children.
  CancelToken& token() { return token_; }
  std::size_t size() const { return children_; }

 private:
  struct Child;
  static Child run_child(TaskScope* scope, Task<void> task, uint32_t* count, uint32_t* also);
  void child_done();

  std::size_t children_ = 0;
  std::coroutine_handle<> joiner_;
  CancelToken token_;
};

}  // namespace ringress::core
