// HashRing and RingHash: the ring's size and shares, lookups, and retries walking onward.
#include <gtest/gtest.h>

#include <map>

#include "lb/hash.h"
#include "lb/ring_hash.h"
#include "tests/lb/test_hosts.h"

namespace ringress::lb {
namespace {

using test::count_keyed_picks;
using test::TestHosts;

std::vector<std::size_t> points_per_host(const HashRing& ring, std::size_t hosts) {
  std::vector<std::size_t> out(hosts, 0);
  for (std::size_t p = 0; p < ring.size(); ++p) ++out[ring.host_of(p)];
  return out;
}

TEST(HashRing, SizeIsScaledToTheLightestHost) {
  // Equal weights: ceil(1024 / 10) = 103 points each.
  TestHosts ten = TestHosts::equal(10);
  auto ring = HashRing::build(ten.view(), {});
  EXPECT_EQ(ring->size(), 1030u);
  for (std::size_t n : points_per_host(*ring, 10)) EXPECT_EQ(n, 103u);
  // Weights 1, 2, 3, 4: the lightest (a tenth) gets ceil(102.4) = 103, the others in proportion.
  TestHosts weighted({1, 2, 3, 4});
  ring = HashRing::build(weighted.view(), {});
  EXPECT_EQ(points_per_host(*ring, 4), (std::vector<std::size_t>{103, 206, 309, 412}));
  // The maximum caps the total; every host keeps at least one point.
  TestHosts skewed({1, 100000});
  ring = HashRing::build(skewed.view(), {1024, 4096});
  EXPECT_LE(ring->size(), 4097u);
  EXPECT_GE(points_per_host(*ring, 2)[0], 1u);
  // A larger minimum, more points.
  ring = HashRing::build(ten.view(), {100000, 8388608});
  EXPECT_EQ(ring->size(), 100000u);
}

TEST(HashRing, PointsAreSortedAndLookupsWrap) {
  TestHosts hosts = TestHosts::equal(3);
  auto ring = HashRing::build(hosts.view(), {});
  for (std::size_t p = 1; p < ring->size(); ++p) ASSERT_LT(ring->hash_of(p - 1), ring->hash_of(p));
  EXPECT_EQ(ring->point_at(0), 0u);
  EXPECT_EQ(ring->point_at(ring->hash_of(5)), 5u);
  EXPECT_EQ(ring->point_at(ring->hash_of(5) + 1), 6u);
  EXPECT_EQ(ring->point_at(UINT64_MAX),
            ring->hash_of(ring->size() - 1) == UINT64_MAX ? ring->size() - 1 : 0u);
}

TEST(HashRing, UnavailableHostsGetNoPoints) {
  TestHosts hosts = TestHosts::equal(4);
  hosts.set_available(2, false);
  auto ring = HashRing::build(hosts.view(), {});
  EXPECT_EQ(points_per_host(*ring, 4)[2], 0u);
  EXPECT_EQ(ring->host_count(), 4u);
  hosts.set_available(0, false);
  hosts.set_available(1, false);
  hosts.set_available(3, false);
  EXPECT_EQ(HashRing::build(hosts.view(), {})->size(), 0u);
}

TEST(RingHash, AKeyAlwaysFindsTheSameHost) {
  // Seeds only matter without a key: two workers agree on every key.
  TestHosts hosts = TestHosts::equal(20);
  auto ring = HashRing::build(hosts.view(), {});
  RingHash a(hosts.view(), ring, {}, 1), b(hosts.view(), ring, {}, 99);
  for (uint64_t i = 0; i < 10000; ++i) {
    uint64_t key = hash64("session-" + std::to_string(i));
    ASSERT_EQ(a.pick({key, {}}), b.pick({key, {}}));
    ASSERT_EQ(a.pick({key, {}}), ring->host_of(ring->point_at(key)));
  }
}

TEST(RingHash, ARetryWalksTheRingOnward) {
  TestHosts hosts = TestHosts::equal(5);
  auto ring = HashRing::build(hosts.view(), {});
  RingHash lb(hosts.view(), ring, {}, 1);
  for (uint64_t i = 0; i < 1000; ++i) {
    uint64_t key = mix64(i);
    std::size_t first = *lb.pick({key, {}});
    const std::size_t tried[] = {first};
    std::size_t second = *lb.pick({key, tried});
    // The host of the first point after the key's that is not `first`.
    std::size_t p = ring->point_at(key);
    while (ring->host_of(p) == first) p = (p + 1) % ring->size();
    ASSERT_EQ(second, ring->host_of(p));
  }
}

TEST(RingHash, WeightsGiveSharesOfKeys) {
  // A larger ring than the default for a tight bound: ~1000 points for the lightest host.
  TestHosts hosts({1, 2, 3, 4});
  RingHash lb(hosts.view(), nullptr, {10000, 8388608}, 1);
  std::vector<uint64_t> counts = count_keyed_picks(lb, 4, 100000);
  for (std::size_t h = 0; h < 4; ++h)
    EXPECT_NEAR(counts[h], 10000.0 * (h + 1), 10000.0 * (h + 1) * 0.05) << "host " << h;
}

TEST(RingHash, HostsTheCallerDoesNotAllowAreWalkedPast) {
  // A ring built with every host, used by a policy whose view has host 1 out.
  TestHosts all = TestHosts::equal(3);
  auto ring = HashRing::build(all.view(), {});
  TestHosts fewer = TestHosts::equal(3);
  fewer.set_available(1, false);
  RingHash lb(fewer.view(), ring, {}, 1);
  for (uint64_t i = 0; i < 5000; ++i) ASSERT_NE(lb.pick({mix64(i), {}}), 1u);
}

}  // namespace
}  // namespace ringress::lb
