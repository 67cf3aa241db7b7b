// RoundRobin through the LoadBalancer interface: the same smooth sequence as the owning
// constructor (tests/core/round_robin_test.cc), over the available hosts only.
#include <gtest/gtest.h>

#include "lb/hosts.h"
#include "lb/round_robin.h"
#include "tests/lb/test_hosts.h"

namespace ringress::lb {
namespace {

using test::TestHosts;

std::vector<std::size_t> picks(LoadBalancer& lb, int n, std::span<const std::size_t> tried = {}) {
  std::vector<std::size_t> out;
  for (int i = 0; i < n; ++i) out.push_back(*lb.pick({std::nullopt, tried}));
  return out;
}

TEST(RoundRobinPolicy, SmoothLikeTheOwningConstructor) {
  TestHosts hosts({5, 1, 1});
  RoundRobin rr(hosts.view());
  EXPECT_EQ(picks(rr, 14), (std::vector<std::size_t>{0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0}));
}

TEST(RoundRobinPolicy, SkipsUnavailableHosts) {
  TestHosts equal = TestHosts::equal(4);
  equal.set_available(1, false);
  RoundRobin rotation(equal.view());
  EXPECT_EQ(picks(rotation, 6), (std::vector<std::size_t>{0, 2, 3, 0, 2, 3}));
  TestHosts weighted({5, 3, 1, 1});
  weighted.set_available(1, false);
  RoundRobin smooth(weighted.view());
  EXPECT_EQ(picks(smooth, 7), (std::vector<std::size_t>{0, 0, 2, 0, 3, 0, 0}));
}

TEST(RoundRobinPolicy, ARetryTakesTheNextUntriedHost) {
  TestHosts equal = TestHosts::equal(4);
  RoundRobin rotation(equal.view());
  const std::size_t tried[] = {0, 1};
  // 0 and 1 are skipped; the rotation goes on from there.
  EXPECT_EQ(picks(rotation, 4, tried), (std::vector<std::size_t>{2, 3, 2, 3}));
  // Weights 100:1: three re-draws all land on host 0, so the untried host is taken directly.
  TestHosts skewed({100, 1});
  RoundRobin smooth(skewed.view());
  const std::size_t heavy[] = {0};
  EXPECT_EQ(picks(smooth, 3, heavy), (std::vector<std::size_t>{1, 1, 1}));
}

TEST(RoundRobinPolicy, OwningConstructorKeepsTheHosts) {
  std::vector<Host> hosts(2);
  hosts[0].address_text = "10.0.0.1:80";
  hosts[0].weight = 2;
  hosts[1].address_text = "10.0.0.2:80";
  RoundRobin rr(hosts);
  ASSERT_EQ(rr.size(), 2u);
  EXPECT_EQ(rr.host(1).address_text, "10.0.0.2:80");
  std::vector<std::size_t> legacy;
  for (int i = 0; i < 6; ++i) legacy.push_back(rr.pick());
  EXPECT_EQ(legacy, (std::vector<std::size_t>{0, 1, 0, 0, 1, 0}));
  EXPECT_EQ(rr.pick(PickContext{}), 0u);
}

}  // namespace
}  // namespace ringress::lb
