// RandomPick: weighted random over the available hosts.
#include <gtest/gtest.h>

#include "lb/random_pick.h"
#include "tests/lb/test_hosts.h"

namespace ringress::lb {
namespace {

using test::count_picks;
using test::TestHosts;

TEST(RandomPick, EqualWeightsAreUniform) {
  TestHosts hosts = TestHosts::equal(10);
  RandomPick lb(hosts.view(), 5);
  for (uint64_t c : count_picks(lb, 10, 100000)) EXPECT_NEAR(c, 10000.0, 500.0);
}

TEST(RandomPick, WeightsAmongAvailableHosts) {
  // Weights 1, 9, 3: with host 1 out, hosts 0 and 2 share 1:3.
  TestHosts hosts({1, 9, 3});
  hosts.set_available(1, false);
  RandomPick lb(hosts.view(), 5);
  std::vector<uint64_t> counts = count_picks(lb, 3, 40000);
  EXPECT_EQ(counts[1], 0u);
  EXPECT_NEAR(counts[0], 10000.0, 500.0);
  EXPECT_NEAR(counts[2], 30000.0, 500.0);
}

TEST(RandomPick, ARetryDrawsAmongTheUntried) {
  TestHosts hosts({1000, 1, 3});
  RandomPick lb(hosts.view(), 5);
  const std::size_t tried[] = {0};
  std::vector<uint64_t> counts(3, 0);
  for (int i = 0; i < 4000; ++i) ++counts[*lb.pick({std::nullopt, tried})];
  EXPECT_EQ(counts[0], 0u);
  EXPECT_NEAR(counts[2], 3000.0, 200.0);
}

}  // namespace
}  // namespace ringress::lb
