// MaglevTable and Maglev: a full table in proportion to the weights, and retries walking on.
#include <gtest/gtest.h>

#include "lb/hash.h"
#include "lb/maglev.h"
#include "tests/lb/test_hosts.h"

namespace ringress::lb {
namespace {

using test::TestHosts;

std::vector<std::size_t> slots_per_host(const MaglevTable& table, std::size_t hosts) {
  std::vector<std::size_t> out(hosts, 0);
  for (std::size_t s = 0; s < MaglevTable::kSize; ++s) ++out.at(table.host_at(s));
  return out;
}

TEST(MaglevTable, EqualWeightsShareTheSlotsWithinOne) {
  for (std::size_t n : {3u, 10u, 100u, 1000u}) {
    TestHosts hosts = TestHosts::equal(n);
    auto table = MaglevTable::build(hosts.view());
    std::vector<std::size_t> slots = slots_per_host(*table, n);  // every slot names a host
    auto [lo, hi] = std::minmax_element(slots.begin(), slots.end());
    EXPECT_LE(*hi - *lo, 1u) << n << " hosts";
  }
}

TEST(MaglevTable, WeightsShareTheSlots) {
  TestHosts hosts({1, 2, 3, 4});
  auto table = MaglevTable::build(hosts.view());
  std::vector<std::size_t> slots = slots_per_host(*table, 4);
  for (std::size_t h = 0; h < 4; ++h)
    EXPECT_NEAR(slots[h], MaglevTable::kSize * (h + 1) / 10.0, 2.0) << "host " << h;
}

TEST(MaglevTable, UnavailableHostsGetNoSlots) {
  TestHosts hosts = TestHosts::equal(4);
  hosts.set_available(1, false);
  auto table = MaglevTable::build(hosts.view());
  EXPECT_EQ(slots_per_host(*table, 4)[1], 0u);
  for (std::size_t i : {0u, 2u, 3u}) hosts.set_available(i, false);
  EXPECT_TRUE(MaglevTable::build(hosts.view())->empty());
}

TEST(Maglev, AKeyFindsItsSlotsHost) {
  TestHosts hosts = TestHosts::equal(7);
  auto table = MaglevTable::build(hosts.view());
  Maglev a(hosts.view(), table, 1), b(hosts.view(), table, 2);
  for (uint64_t i = 0; i < 10000; ++i) {
    uint64_t key = hash64("session-" + std::to_string(i));
    ASSERT_EQ(a.pick({key, {}}), table->host_at(key % MaglevTable::kSize));
    ASSERT_EQ(a.pick({key, {}}), b.pick({key, {}}));
  }
}

TEST(Maglev, ARetryWalksTheTableOnward) {
  TestHosts hosts = TestHosts::equal(5);
  auto table = MaglevTable::build(hosts.view());
  Maglev lb(hosts.view(), table, 1);
  for (uint64_t i = 0; i < 1000; ++i) {
    uint64_t key = mix64(i);
    std::size_t first = *lb.pick({key, {}});
    const std::size_t tried[] = {first};
    std::size_t slot = key % MaglevTable::kSize;
    while (table->host_at(slot) == first) slot = (slot + 1) % MaglevTable::kSize;
    ASSERT_EQ(lb.pick({key, tried}), table->host_at(slot));
  }
}

}  // namespace
}  // namespace ringress::lb
