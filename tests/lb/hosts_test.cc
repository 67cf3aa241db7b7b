// hosts_of: an endpoint's weight is shared by its addresses, so a name with three A records
// weighs what its weight says, not three times that.
#include "lb/hosts.h"

#include <gtest/gtest.h>

#include <numeric>

#include "lb/random_pick.h"
#include "tests/lb/test_hosts.h"

namespace ringress::lb {
namespace {

conf::Endpoint endpoint(std::string text, uint32_t weight, int addresses, int first_port) {
  conf::Endpoint e;
  e.text = std::move(text);
  e.weight = weight;
  for (int i = 0; i < addresses; ++i)
    e.addresses.push_back(
        *core::SocketAddress::parse_numeric("10.0.0.1:" + std::to_string(first_port + i)));
  return e;
}

// Each endpoint's total weight, summed over its addresses in hosts_of's order.
std::vector<uint64_t> endpoint_totals(const conf::Cluster& cluster) {
  std::vector<Host> hosts = hosts_of(cluster);
  std::vector<uint64_t> totals;
  std::size_t i = 0;
  for (const conf::Endpoint& e : cluster.endpoints) {
    uint64_t sum = 0;
    for (std::size_t a = 0; a < e.addresses.size(); ++a, ++i) {
      EXPECT_EQ(hosts[i].name, e.text);
      sum += hosts[i].weight;
    }
    totals.push_back(sum);
  }
  EXPECT_EQ(i, hosts.size());
  return totals;
}

TEST(HostsOf, OneAddressPerEndpointKeepsTheWeights) {
  conf::Cluster cluster;
  cluster.endpoints = {endpoint("a:80", 1, 1, 1000), endpoint("b:80", 3, 1, 2000)};
  std::vector<Host> hosts = hosts_of(cluster);
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].weight, 1u);
  EXPECT_EQ(hosts[1].weight, 3u);
  EXPECT_EQ(hosts[1].address_text, "10.0.0.1:2000");
  EXPECT_EQ(hosts[1].hostname, "b");
}

TEST(HostsOf, AnEndpointsWeightIsSharedByItsAddresses) {
  // "web:80" with three A records and weight 3 against "db:80" with one and weight 1: 3 to 1.
  conf::Cluster cluster;
  cluster.endpoints = {endpoint("web:80", 3, 3, 1000), endpoint("db:80", 1, 1, 2000)};
  std::vector<Host> hosts = hosts_of(cluster);
  ASSERT_EQ(hosts.size(), 4u);
  EXPECT_EQ(hosts[0].weight, hosts[1].weight);
  EXPECT_EQ(hosts[1].weight, hosts[2].weight);
  std::vector<uint64_t> totals = endpoint_totals(cluster);
  EXPECT_EQ(totals[0], 3 * totals[1]);
}

TEST(HostsOf, SharesAreExactForDifferentAddressCounts) {
  // 2, 3 and 1 addresses with weights 1, 1, 2: totals stay 1 : 1 : 2.
  conf::Cluster cluster;
  cluster.endpoints = {endpoint("a:80", 1, 2, 1000), endpoint("b:80", 1, 3, 2000),
                       endpoint("c:80", 2, 1, 3000)};
  std::vector<uint64_t> totals = endpoint_totals(cluster);
  EXPECT_EQ(totals[0], totals[1]);
  EXPECT_EQ(totals[2], 2 * totals[0]);
}

TEST(HostsOf, ManyAddressCountsAreCloseToExact) {
  // Address counts 1..20 have a least common multiple above kMaxWeightScale: shares round,
  // each endpoint's total within 0.01% of its weight's share.
  conf::Cluster cluster;
  for (int n = 1; n <= 20; ++n)
    cluster.endpoints.push_back(endpoint("e" + std::to_string(n) + ":80", 5, n, 1000 * n));
  std::vector<uint64_t> totals = endpoint_totals(cluster);
  for (uint64_t t : totals) EXPECT_NEAR(t, totals[0], totals[0] * 1e-4);
}

TEST(HostsOf, PicksFollowEndpointWeights) {
  // End to end through a policy: the three addresses of "web" get 3/4 of the picks together.
  conf::Cluster cluster;
  cluster.endpoints = {endpoint("web:80", 3, 3, 1000), endpoint("db:80", 1, 1, 2000)};
  std::vector<Host> hosts = hosts_of(cluster);
  std::vector<LbHost> view = lb_hosts(hosts);
  RandomPick lb(view, 1);
  std::vector<uint64_t> counts = test::count_picks(lb, hosts.size(), 100000);
  EXPECT_NEAR(counts[0] + counts[1] + counts[2], 75000.0, 1000.0);
  EXPECT_NEAR(counts[3], 25000.0, 1000.0);
}

}  // namespace
}  // namespace ringress::lb
