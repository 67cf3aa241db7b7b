#include "core/timer_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace ringress::core {
namespace {

struct Fired {
  std::vector<int> order;
};

TEST(TimerQueue, FiresInDeadlineOrderAndSupportsRemoval) {
  TimerQueue q;
  Fired fired;
  TimePoint base = std::chrono::steady_clock::now();
  std::vector<Timer> timers(200);
  std::vector<int> ids(200);
  std::mt19937 rng(42);
  for (int i = 0; i < 200; ++i) {
    ids[i] = i;
    timers[i].deadline = base + std::chrono::milliseconds(rng() % 1000);
    timers[i].context = &fired;
    timers[i].fire = [](Timer* t) { static_cast<Fired*>(t->context)->order.push_back(0); };
    q.add(&timers[i]);
  }
  for (int i = 0; i < 200; i += 3) q.remove(&timers[i]);
  EXPECT_FALSE(timers[0].queued());
  std::vector<TimePoint> seen;
  while (!q.empty()) {
    TimePoint t = q.earliest();
    seen.push_back(t);
    q.fire_expired(t);
  }
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(fired.order.size(), 200u - 67u);
}

TEST(TimerQueue, ReAddMovesTheDeadline) {
  TimerQueue q;
  TimePoint base = std::chrono::steady_clock::now();
  Timer a, b;
  a.fire = b.fire = [](Timer*) {};
  a.deadline = base + std::chrono::seconds(1);
  b.deadline = base + std::chrono::seconds(2);
  q.add(&a);
  q.add(&b);
  a.deadline = base + std::chrono::seconds(3);
  q.add(&a);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.earliest(), b.deadline);
}

}  // namespace
}  // namespace ringress::core
