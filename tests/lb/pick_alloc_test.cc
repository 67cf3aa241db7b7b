// pick() allocates nothing, for every policy, with and without retries: counts calls to
// operator new around it (tests/http_router/alloc_counter.cc replaces it in this binary).
#include <gtest/gtest.h>

#include "lb/hash.h"
#include "lb/policy_factory.h"
#include "tests/http_router/alloc_counter.h"
#include "tests/lb/test_hosts.h"

namespace ringress::lb {
namespace {

TEST(PickAllocations, EveryPolicyPicksWithoutAllocating) {
  test::TestHosts equal = test::TestHosts::equal(100);
  test::TestHosts weighted({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  std::vector<uint32_t> active(100, 1);
  for (conf::LbPolicy policy :
       {conf::LbPolicy::round_robin, conf::LbPolicy::least_request, conf::LbPolicy::random,
        conf::LbPolicy::ring_hash, conf::LbPolicy::maglev}) {
    for (const test::TestHosts* hosts : {&equal, &weighted}) {
      conf::LbSettings settings;
      settings.policy = policy;
      auto lb = make_load_balancer(settings, hosts->view(),
                                   build_lb_tables(settings, hosts->view()), active, 1);
      const std::size_t tried[] = {0, 1, 2};
      std::size_t before = http::router_test::allocation_count();
      std::size_t sum = 0;
      for (uint64_t i = 0; i < 1000; ++i) {
        sum += *lb->pick({mix64(i), {}});
        sum += *lb->pick({std::nullopt, tried});
      }
      EXPECT_EQ(http::router_test::allocation_count() - before, 0u)
          << conf::lb_policy_name(policy) << " over " << hosts->size() << " hosts";
      EXPECT_GT(sum, 0u);
    }
  }
}

}  // namespace
}  // namespace ringress::lb
