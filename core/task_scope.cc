#include "core/task_scope.h"

#include <cstdio>
#include <cstdlib>

#include "core/reactor.h"

namespace ringress::core {

// The wrapper coroutine that owns one child: it starts eagerly, awaits the child, and destroys
// its own frame before telling the scope, so the scope never sees a frame that is still alive.
struct TaskScope::Child {
  struct promise_type {
    TaskScope* scope;
    uint32_t* count;
    uint32_t* also;
    promise_type(TaskScope* s, Task<void>&, uint32_t* c, uint32_t* a)
        : scope(s), count(c), also(a) {
      if (count) ++*count;
      if (also) ++*also;
    }
    static void* operator new(std::size_t size) { return frame_alloc(size); }
    static void operator delete(void* p, std::size_t size) noexcept { frame_free(p, size); }
    Child get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    struct Final {
      bool await_ready() noexcept { return false; }
      void await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        TaskScope* scope = h.promise().scope;
        if (uint32_t* count = h.promise().count) --*count;
        if (uint32_t* also = h.promise().also) --*also;
        h.destroy();
        scope->child_done();
      }
      void await_resume() noexcept {}
    };
    Final final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

TaskScope::Child TaskScope::run_child(TaskScope*, Task<void> task, uint32_t*, uint32_t*) {
  co_await std::move(task);
}

TaskScope::~TaskScope() {
  if (children_ != 0) {  // destroyed before join(): children would resume into freed memory
    std::fputs("ringress: a TaskScope was destroyed before its children finished\n", stderr);
    std::abort();
  }
}

void TaskScope::spawn(Task<void> task, uint32_t* count, uint32_t* also) {
  ++children_;
  run_child(this, std::move(task), count, also);
}

void TaskScope::child_done() {
  if (--children_ == 0 && joiner_) Reactor::current().post(std::exchange(joiner_, {}));
}

}  // namespace ringress::core
