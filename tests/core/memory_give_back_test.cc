// What a burst of load leaves behind goes back once the load fell: the free lists (request
// contexts: IdleFreeList; coroutine frames: the frame pool) keep what a whole trim period
// used and give back the rest, and the buffer pool's trim runs them. Deterministic: the tests
// end the periods themselves (trim()), no timer and no clock.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/buffer_pool.h"
#include "core/frame_pool.h"
#include "core/idle_free_list.h"
#include "core/reactor.h"

namespace ringress::core {
namespace {

struct Counted {
  explicit Counted(int& live) : live_(live) { ++live_; }
  ~Counted() { --live_; }
  int& live_;
};

// One period of a load of `concurrent` requests: each takes an object (or builds one) and
// gives it back.
void load(IdleFreeList<Counted>& list, int& live, int concurrent) {
  std::vector<std::unique_ptr<Counted>> held;
  for (int i = 0; i < concurrent; ++i) {
    auto p = list.take();
    held.push_back(p ? std::move(p) : std::make_unique<Counted>(live));
  }
  for (auto& p : held) list.put(std::move(p));
}

TEST(IdleFreeList, AfterABurstKeepsOnlyWhatTheLoadNowUses) {
  int live = 0;
  IdleFreeList<Counted> list(1024);
  load(list, live, 1000);  // a burst of 1,000 concurrent requests
  EXPECT_EQ(list.size(), 1000u);
  EXPECT_EQ(list.trim(), 0u);  // all of them were used during this period
  load(list, live, 10);        // the load fell to 10 concurrent
  EXPECT_EQ(list.trim(), 990u);
  EXPECT_EQ(list.size(), 10u);
  EXPECT_EQ(live, 10);
  EXPECT_EQ(list.trim(), 10u);  // then a whole period with no request
  EXPECT_EQ(list.size(), 0u);
  EXPECT_EQ(live, 0);
}

TEST(IdleFreeList, ASteadyLoadKeepsWhatItCirculatesAndBuildsNothing) {
  int live = 0;
  IdleFreeList<Counted> list(1024);
  load(list, live, 50);
  for (int period = 0; period < 5; ++period) {
    list.trim();
    load(list, live, 50);
    load(list, live, 20);
  }
  EXPECT_EQ(list.trim(), 0u);
  EXPECT_EQ(list.size(), 50u);
  EXPECT_EQ(live, 50);  // the first period's 50, reused ever since
}

TEST(IdleFreeList, KeepsAtMostItsBound) {
  int live = 0;
  IdleFreeList<Counted> list(8);
  load(list, live, 20);
  EXPECT_EQ(list.size(), 8u);
  EXPECT_EQ(live, 8);
}

TEST(FramePool, GivesBackTheFramesOfABurstAfterAPeriodUnused) {
  std::vector<void*> frames;
  for (int i = 0; i < 1000; ++i) frames.push_back(frame_alloc(200));
  for (void* f : frames) frame_free(f, 200);
  if (frame_pool_cached() == 0) GTEST_SKIP() << "the frame pool is off (AddressSanitizer)";
  frame_pool_trim();  // ends the burst's period: everything cached was used in it
  ASSERT_GE(frame_pool_cached(), 1000u);
  // A period with 10 frames of that size in use at once.
  frames.clear();
  for (int i = 0; i < 10; ++i) frames.push_back(frame_alloc(200));
  for (void* f : frames) frame_free(f, 200);
  EXPECT_GE(frame_pool_trim(), 990u * 256);  // 200 B frames are in the 256-byte class
  EXPECT_EQ(frame_pool_cached(), 10u);       // (other sizes: unused all period, freed too)
  // What the period used stays cached: taking it again allocates nothing.
  const std::size_t misses = frame_pool_misses();
  frames.clear();
  for (int i = 0; i < 10; ++i) frames.push_back(frame_alloc(200));
  EXPECT_EQ(frame_pool_misses(), misses);
  for (void* f : frames) frame_free(f, 200);
  frame_pool_trim();
  frame_pool_trim();  // a whole period unused
  EXPECT_EQ(frame_pool_cached(), 0u);
}

struct CountingTrimmer final : IdleTrimmer {
  int calls = 0;
  std::size_t trim_idle() override {
    ++calls;
    return 1000;
  }
};

TEST(BufferPoolTrim, RunsItsTrimmersAndForgetsThemWhenDestroyed) {
  CountingTrimmer t;
  {
    Reactor reactor;
    BufferPool pool(reactor, 1024, 8, Duration{0});
    pool.add_trimmer(&t);
    EXPECT_EQ(t.trim_pool(), &pool);
    pool.trim();
    pool.trim();
    EXPECT_EQ(t.calls, 2);
    EXPECT_GE(pool.heap_given_back(), 1000u);
    pool.remove_trimmer(&t);
    pool.trim();
    EXPECT_EQ(t.calls, 2);
    pool.add_trimmer(&t);
  }
  EXPECT_EQ(t.trim_pool(), nullptr);  // the pool's end unregistered it
}

}  // namespace
}  // namespace ringress::core
