// The policy a cluster's config names, and the shared tables it needs. The lead's wiring:
//   control thread, per host-set snapshot:  LbTables tables = build_lb_tables(cluster.lb, view);
//   each worker, per snapshot:              auto lb = make_load_balancer(cluster.lb, view,
//                                                       tables, active_counters, worker_seed);
//   per request (and per retry):            auto host = lb->pick({hash, attempted});
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "conf/config.h"
#include "lb/load_balancer.h"
#include "lb/maglev.h"
#include "lb/ring_hash.h"

namespace ringress::lb {

// The immutable tables of the hash policies for one host set; both null for the others.
struct LbTables {
  std::shared_ptr<const HashRing> ring;       // ring_hash
  std::shared_ptr<const MaglevTable> maglev;  // maglev
};

// Built once per host set (the expensive part of ring_hash and maglev: milliseconds for
// hundreds of hosts), then shared read-only by every worker.
LbTables build_lb_tables(const conf::LbSettings& settings, HostSetView hosts);

// A worker's policy for `hosts`. `tables` come from build_lb_tables for the same view (a
// missing or mismatched one is built here). `active_requests`: the worker's in-flight count per
// host, owned by the caller and read by least_request (see lb/least_request.h); may be empty.
// `seed`: the worker's, so workers draw differently (tests fix it to replay a sequence).
std::unique_ptr<LoadBalancer> make_load_balancer(const conf::LbSettings& settings,
                                                 HostSetView hosts, const LbTables& tables,
                                                 std::span<const uint32_t> active_requests,
                                                 uint64_t seed);

}  // namespace ringress::lb
