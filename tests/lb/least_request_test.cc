// LeastRequest: fewer requests in flight wins (power of two choices with equal weights, EDF on
// weight / (active + 1) with different ones), reading the caller's counters.
#include <gtest/gtest.h>

#include "lb/least_request.h"
#include "tests/lb/test_hosts.h"

namespace ringress::lb {
namespace {

using test::count_picks;
using test::TestHosts;

TEST(LeastRequest, TwoChoicesPreferTheIdleHost) {
  // Hosts 0-2 hold 5 requests each, host 3 none: it wins whenever it is drawn, 1 - (3/4)^2 =
  // 7/16 of the picks with two choices (a quarter if the counts were ignored).
  TestHosts hosts = TestHosts::equal(4);
  const uint32_t active[] = {5, 5, 5, 0};
  LeastRequest two(hosts.view(), 2, active, 1);
  std::vector<uint64_t> counts = count_picks(two, 4, 100000);
  EXPECT_NEAR(counts[3] / 100000.0, 7.0 / 16, 0.01);
  // More choices, more often: 1 - (3/4)^5.
  LeastRequest five(hosts.view(), 5, active, 1);
  counts = count_picks(five, 4, 100000);
  EXPECT_NEAR(counts[3] / 100000.0, 1 - 243.0 / 1024, 0.01);
}

TEST(LeastRequest, AStuckHostIsAvoided) {
  // Host 0 never finishes a request; the others finish each one at once. Its count grows with
  // every pick it gets, so it soon loses every comparison.
  TestHosts hosts = TestHosts::equal(5);
  std::vector<uint32_t> active(5, 0);
  LeastRequest lb(hosts.view(), 2, active, 7);
  int stuck = 0;
  for (int i = 0; i < 10000; ++i) {
    std::size_t host = *lb.pick({});
    if (host == 0) {
      ++active[0];
      ++stuck;
    }
  }
  // Once it holds a request it wins only when both draws are host 0 (with replacement, as in
  // Envoy): 1/25 of the picks, where counts ignored would give it 1/5.
  EXPECT_NEAR(stuck, 10000 / 25, 100);
}

TEST(LeastRequest, WeightsAreDividedByActiveRequestsPlusOne) {
  // Weights 1, 2, 1, 2 with host 1 holding 9 requests: effective weights 1, 0.2, 1, 2.
  TestHosts hosts({1, 2, 1, 2});
  const uint32_t active[] = {0, 9, 0, 0};
  LeastRequest lb(hosts.view(), 2, active, 1);
  std::vector<uint64_t> counts = count_picks(lb, 4, 42000);
  const double expected[] = {1 / 4.2, 0.2 / 4.2, 1 / 4.2, 2 / 4.2};
  for (std::size_t h = 0; h < 4; ++h)
    EXPECT_NEAR(counts[h] / 42000.0, expected[h], expected[h] * 0.05) << "host " << h;
}

TEST(LeastRequest, EqualCountsFollowTheWeightsExactly) {
  // With nothing in flight, EDF gives each host exactly its share of every window.
  TestHosts hosts({1, 2, 3, 4});
  LeastRequest lb(hosts.view(), 2, {}, 3);
  std::vector<uint64_t> counts = count_picks(lb, 4, 10000);
  for (std::size_t h = 0; h < 4; ++h) EXPECT_NEAR(counts[h], 1000.0 * (h + 1), 1.0);
}

TEST(LeastRequest, ARetryTakesTheLeastLoadedUntriedHost) {
  // Weights 1000:1:1 and no counts: re-draws keep finding host 0; then the untried host with
  // the lower (active + 1) / weight is taken: host 2, which is idle.
  TestHosts hosts({1000, 1, 1});
  const uint32_t active[] = {0, 3, 0};
  LeastRequest lb(hosts.view(), 2, active, 1);
  const std::size_t tried[] = {0};
  for (int i = 0; i < 100; ++i) EXPECT_NE(lb.pick({std::nullopt, tried}), 0u);
}

}  // namespace
}  // namespace ringress::lb
