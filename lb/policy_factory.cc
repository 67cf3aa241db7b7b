#include "lb/policy_factory.h"

#include "lb/least_request.h"
#include "lb/random_pick.h"
#include "lb/round_robin.h"

namespace ringress::lb {

LbTables build_lb_tables(const conf::LbSettings& settings, HostSetView hosts) {
  LbTables tables;
  if (settings.policy == conf::LbPolicy::ring_hash)
    tables.ring = HashRing::build(hosts, settings.ring_hash);
  if (settings.policy == conf::LbPolicy::maglev) tables.maglev = MaglevTable::build(hosts);
  return tables;
}

std::unique_ptr<LoadBalancer> make_load_balancer(const conf::LbSettings& settings,
                                                 HostSetView hosts, const LbTables& tables,
                                                 std::span<const uint32_t> active_requests,
                                                 uint64_t seed) {
  switch (settings.policy) {
    case conf::LbPolicy::round_robin:
      return std::make_unique<RoundRobin>(hosts);
    case conf::LbPolicy::least_request:
      return std::make_unique<LeastRequest>(hosts, settings.least_request.choice_count,
                                            active_requests, seed);
    case conf::LbPolicy::random:
      return std::make_unique<RandomPick>(hosts, seed);
    case conf::LbPolicy::ring_hash:
      return std::make_unique<RingHash>(hosts, tables.ring, settings.ring_hash, seed);
    case conf::LbPolicy::maglev:
      return std::make_unique<Maglev>(hosts, tables.maglev, seed);
  }
  return std::make_unique<RoundRobin>(hosts);
}

}  // namespace ringress::lb
