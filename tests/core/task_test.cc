#include "core/task.h"

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/io_op.h"
#include "core/reactor.h"
#include "core/task_scope.h"

namespace ringress::core {
namespace {

Task<int> add_one(int x) { co_return x + 1; }

Task<int> chain(int depth) {
  int v = 0;
  for (int i = 0; i < depth; ++i) v = co_await add_one(v);
  co_return v;
}

Task<int> recurse(int depth) {
  if (depth == 0) co_return 0;
  co_return 1 + co_await recurse(depth - 1);
}

TEST(Task, ComposesAndReturnsValues) {
  Reactor reactor;
  EXPECT_EQ(reactor.run(chain(100000)), 100000);
}

TEST(Task, NestedTasksReturnThroughEveryLevel) {
  Reactor reactor;
  EXPECT_EQ(reactor.run(recurse(1000)), 1000);
}

Task<int> suspend_then_add(int x) {
  co_await Yield{};
  co_return x + 1;
}

TEST(Task, LoopOfSuspendingTasksDoesNotGrowTheStack) {
  Reactor reactor;
  auto loop = []() -> Task<int> {
    int v = 0;
    for (int i = 0; i < 100000; ++i) v = co_await suspend_then_add(v);
    co_return v;
  };
  EXPECT_EQ(reactor.run(loop()), 100000);
}

TEST(Task, MoveOnlyResults) {
  Reactor reactor;
  auto make = []() -> Task<std::unique_ptr<int>> { co_return std::make_unique<int>(7); };
  auto p = reactor.run(make());
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, 7);
}

TEST(Task, UnstartedTaskIsDestroyedCleanly) {
  Reactor reactor;
  bool ran = false;
  {
    auto t = [](bool& r) -> Task<void> {
      r = true;
      co_return;
    }(ran);
  }
  EXPECT_FALSE(ran);
}

TEST(TaskDeathTest, DestroyingASuspendedTaskAborts) {
#if !RINGRESS_TASK_CHECKS
  GTEST_SKIP() << "checked only in builds with assertions (debug, asan)";
#else
  auto suspended_then_destroyed = [] {
    auto t = []() -> Task<void> { co_await std::suspend_always{}; }();
    t.handle().resume();  // started; now suspended inside
  };
  EXPECT_DEATH(suspended_then_destroyed(), "Task was destroyed while suspended");
#endif
}

TEST(Task, FinishedTaskIsDestroyedCleanly) {
  auto t = []() -> Task<void> { co_return; }();
  t.handle().resume();
  EXPECT_TRUE(t.done());
}

TEST(TaskScope, JoinWaitsForAllChildren) {
  Reactor reactor;
  int done = 0;
  auto main = [](int& d) -> Task<void> {
    TaskScope scope;
    for (int i = 0; i < 100; ++i) {
      scope.spawn([](int& d2, int ms) -> Task<void> {
        co_await sleep_for(std::chrono::milliseconds(ms));
        ++d2;
      }(d, 1 + i % 7));
    }
    EXPECT_EQ(scope.size(), 100u);
    co_await scope.join();
    EXPECT_EQ(scope.size(), 0u);
  };
  reactor.run(main(done));
  EXPECT_EQ(done, 100);
}

// The counts given to spawn() are one higher exactly while each child runs (the worker counts
// a connection open on its listener and in its config generation this way).
TEST(TaskScope, CountsAreOneHigherWhileAChildRuns) {
  Reactor reactor;
  auto main = []() -> Task<void> {
    TaskScope scope;
    uint32_t open = 0, in_generation = 0, only_open = 0;
    for (int i = 0; i < 3; ++i)
      scope.spawn(
          [](int ms) -> Task<void> { co_await sleep_for(std::chrono::milliseconds(ms)); }(1 + i),
          &open, &in_generation);
    scope.spawn([]() -> Task<void> { co_await sleep_for(std::chrono::milliseconds(1)); }(),
                &only_open);
    EXPECT_EQ(open, 3u);
    EXPECT_EQ(in_generation, 3u);
    EXPECT_EQ(only_open, 1u);
    co_await sleep_for(std::chrono::milliseconds(2));
    EXPECT_LT(open, 3u);
    EXPECT_EQ(open, in_generation);
    co_await scope.join();
    EXPECT_EQ(open, 0u);
    EXPECT_EQ(in_generation, 0u);
    EXPECT_EQ(only_open, 0u);
  };
  reactor.run(main());
}

TEST(TaskScope, JoinOfEmptyScopeDoesNotSuspend) {
  Reactor reactor;
  auto main = []() -> Task<int> {
    TaskScope scope;
    scope.spawn([]() -> Task<void> { co_return; }());
    co_await scope.join();
    co_return 1;
  };
  EXPECT_EQ(reactor.run(main()), 1);
}

TEST(Event, WakesTheWaiter) {
  Reactor reactor;
  auto main = []() -> Task<int> {
    Event e;
    TaskScope scope;
    int seen = 0;
    scope.spawn([](Event& ev, int& s) -> Task<void> {
      co_await ev.wait();
      s = 1;
    }(e, seen));
    EXPECT_EQ(seen, 0);
    co_await Yield{};
    e.set();
    co_await scope.join();
    co_return seen;
  };
  EXPECT_EQ(reactor.run(main()), 1);
}

TEST(Sleep, WaitsAtLeastTheDuration) {
  Reactor reactor;
  auto start = std::chrono::steady_clock::now();
  reactor.run([]() -> Task<void> { co_await sleep_for(std::chrono::milliseconds(30)); }());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(30));
}

TEST(FramePool, SteadyStateTasksDoNotAllocate) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "the frame pool is bypassed under AddressSanitizer";
#else
  Reactor reactor;
  reactor.run(chain(1000));
  std::size_t before = frame_pool_misses();
  reactor.run(chain(100000));
  EXPECT_EQ(frame_pool_misses(), before);
#endif
}

}  // namespace
}  // namespace ringress::core
