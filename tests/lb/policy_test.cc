// What every policy promises, checked for each through make_load_balancer: picks follow the
// weights, unavailable hosts are never picked, a retry avoids the hosts already tried, a seed
// replays its sequence.
#include <gtest/gtest.h>

#include <set>

#include "lb/hash.h"
#include "lb/policy_factory.h"
#include "tests/lb/test_hosts.h"

namespace ringress::lb {
namespace {

using test::TestHosts;

struct Case {
  conf::LbPolicy policy;
  bool keyed;  // picks carry hash keys (only hash policies read them)
};

std::string case_name(const testing::TestParamInfo<Case>& info) {
  return std::string(conf::lb_policy_name(info.param.policy)) +
         (info.param.keyed ? "_keyed" : "_unkeyed");
}

class EveryPolicy : public testing::TestWithParam<Case> {
 protected:
  std::unique_ptr<LoadBalancer> make(const TestHosts& hosts, uint64_t seed = 1,
                                     std::span<const uint32_t> active = {}) {
    conf::LbSettings settings;
    settings.policy = GetParam().policy;
    return make_load_balancer(settings, hosts.view(), build_lb_tables(settings, hosts.view()),
                              active, seed);
  }
  PickContext context(uint64_t i, std::span<const std::size_t> attempted = {}) const {
    PickContext c;
    if (GetParam().keyed) c.hash = mix64(i);
    c.attempted = attempted;
    return c;
  }
};

TEST_P(EveryPolicy, PicksFollowTheWeights) {
  // Weights 1, 2, 3, 4: over 100k picks each host's share is within 10% of weight / 10.
  TestHosts hosts({1, 2, 3, 4});
  auto lb = make(hosts);
  constexpr int kPicks = 100000;
  std::vector<uint64_t> counts(hosts.size(), 0);
  for (int i = 0; i < kPicks; ++i) {
    std::optional<std::size_t> host = lb->pick(context(static_cast<uint64_t>(i)));
    ASSERT_TRUE(host && *host < hosts.size());
    ++counts[*host];
  }
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    double expected = kPicks * (h + 1) / 10.0;
    EXPECT_NEAR(static_cast<double>(counts[h]), expected, expected * 0.10) << "host " << h;
  }
}

TEST_P(EveryPolicy, UnavailableHostsAreNeverPicked) {
  TestHosts hosts({1, 5, 1, 1, 5, 1, 1, 1});
  hosts.set_available(1, false);
  hosts.set_available(4, false);
  auto lb = make(hosts);
  const std::size_t tried_all[] = {0, 2, 3, 5, 6, 7};
  for (int i = 0; i < 20000; ++i) {
    // Half the picks are retries that tried every available host already.
    std::span<const std::size_t> attempted;
    if (i % 2 == 1) attempted = tried_all;
    std::optional<std::size_t> host = lb->pick(context(static_cast<uint64_t>(i), attempted));
    ASSERT_TRUE(host);
    ASSERT_NE(*host, 1u);
    ASSERT_NE(*host, 4u);
  }
}

TEST_P(EveryPolicy, NothingAvailableIsNoHost) {
  TestHosts hosts({1, 2});
  hosts.set_available(0, false);
  hosts.set_available(1, false);
  auto lb = make(hosts);
  EXPECT_FALSE(lb->pick(context(1)));
  TestHosts none(std::vector<uint32_t>{});
  EXPECT_FALSE(make(none)->pick(context(1)));
}

TEST_P(EveryPolicy, RetriesAvoidHostsAlreadyTried) {
  // Host 0 has nearly all the weight: a re-draw alone would keep landing on it.
  TestHosts hosts({1000, 1, 1, 1});
  auto lb = make(hosts);
  for (uint64_t i = 0; i < 2000; ++i) {
    std::optional<std::size_t> first = lb->pick(context(i));
    ASSERT_TRUE(first);
    const std::size_t tried[] = {*first};
    std::optional<std::size_t> second = lb->pick(context(i, tried));
    ASSERT_TRUE(second);
    EXPECT_NE(*second, *first) << "pick " << i;
    const std::size_t tried_two[] = {*first, *second, *first};
    std::optional<std::size_t> third = lb->pick(context(i, tried_two));
    ASSERT_TRUE(third);
    EXPECT_NE(*third, *first);
    EXPECT_NE(*third, *second);
  }
  // Three of four tried: the fourth it is.
  const std::size_t three[] = {0, 2, 3};
  for (uint64_t i = 0; i < 100; ++i) EXPECT_EQ(lb->pick(context(i, three)), 1u);
  // All tried: some available host all the same.
  const std::size_t all[] = {0, 1, 2, 3};
  EXPECT_TRUE(lb->pick(context(7, all)));
}

TEST_P(EveryPolicy, ASeedReplaysItsSequence) {
  TestHosts hosts({1, 2, 3, 4, 5});
  auto a = make(hosts, 42), b = make(hosts, 42);
  for (uint64_t i = 0; i < 1000; ++i) {
    const std::size_t tried[] = {i % 5};
    ASSERT_EQ(a->pick(context(i)), b->pick(context(i)));
    ASSERT_EQ(a->pick(context(i, tried)), b->pick(context(i, tried)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Policies, EveryPolicy,
    testing::Values(Case{conf::LbPolicy::round_robin, false},
                    Case{conf::LbPolicy::least_request, false}, Case{conf::LbPolicy::random, false},
                    Case{conf::LbPolicy::ring_hash, false}, Case{conf::LbPolicy::ring_hash, true},
                    Case{conf::LbPolicy::maglev, false}, Case{conf::LbPolicy::maglev, true}),
    case_name);

// The randomised policies differ between seeds (so workers do not move in lockstep).
TEST(Seeds, DifferentSeedsDrawDifferently) {
  TestHosts hosts = TestHosts::equal(10);
  for (conf::LbPolicy policy : {conf::LbPolicy::least_request, conf::LbPolicy::random,
                                conf::LbPolicy::ring_hash, conf::LbPolicy::maglev}) {
    conf::LbSettings settings;
    settings.policy = policy;
    LbTables tables = build_lb_tables(settings, hosts.view());
    auto a = make_load_balancer(settings, hosts.view(), tables, {}, 1);
    auto b = make_load_balancer(settings, hosts.view(), tables, {}, 2);
    int same = 0;
    for (int i = 0; i < 1000; ++i) same += a->pick({}) == b->pick({});
    EXPECT_LT(same, 300) << conf::lb_policy_name(policy);
  }
}

// The tables are built once and shared: a policy given them uses them rather than its own.
TEST(Tables, AreSharedByThePoliciesGivenThem) {
  TestHosts hosts = TestHosts::equal(5);
  conf::LbSettings ring;
  ring.policy = conf::LbPolicy::ring_hash;
  LbTables tables = build_lb_tables(ring, hosts.view());
  ASSERT_TRUE(tables.ring);
  EXPECT_FALSE(tables.maglev);
  auto a = make_load_balancer(ring, hosts.view(), tables, {}, 1);
  auto b = make_load_balancer(ring, hosts.view(), tables, {}, 2);
  EXPECT_EQ(tables.ring.use_count(), 3);
  conf::LbSettings maglev;
  maglev.policy = conf::LbPolicy::maglev;
  LbTables maglev_tables = build_lb_tables(maglev, hosts.view());
  ASSERT_TRUE(maglev_tables.maglev);
  auto c = make_load_balancer(maglev, hosts.view(), maglev_tables, {}, 1);
  EXPECT_EQ(maglev_tables.maglev.use_count(), 2);
  // Tables of another host set are not used: the policy builds its own.
  TestHosts more = TestHosts::equal(6);
  auto d = make_load_balancer(maglev, more.view(), maglev_tables, {}, 1);
  EXPECT_EQ(maglev_tables.maglev.use_count(), 2);
  std::set<std::size_t> seen;
  for (uint64_t i = 0; i < 1000; ++i) seen.insert(*d->pick({mix64(i), {}}));
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_TRUE(build_lb_tables(conf::LbSettings{}, hosts.view()).ring == nullptr);
}

}  // namespace
}  // namespace ringress::lb
