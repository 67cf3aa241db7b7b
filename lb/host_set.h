// HostSet: an immutable snapshot of one cluster's hosts, published by the control loop
// (app/control_loop.h) to every worker. A worker swaps its snapshot between requests; a request
// keeps the snapshot it started with (it holds a HostSetPtr), so a host-set change never moves
// a request that is in flight.
//
// The control loop decides which hosts may be picked (healthy, not ejected, in the priority
// level it chose, or all of them in panic mode) and records it in `view` (LbHost::available);
// the hash tables in `tables` are built once for that view, off the request path, and shared
// read-only by every worker's policy (lb/policy_factory.h).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "lb/host.h"
#include "lb/load_balancer.h"
#include "lb/policy_factory.h"

namespace ringress::lb {

struct HostEntry {
  Host host;              // lb/host.h: address, weight share, name, address_text, hostname
  uint32_t priority = 0;  // 0 primary, 1 backup
  bool healthy = true;    // active health check verdict (true when the cluster has none)
  bool ejected = false;   // outlier detection
};

struct HostSet {
  uint64_t version = 0;
  std::vector<HostEntry> hosts;
  LbTables tables;  // built once on the control thread for `view`
  // The policies' view of `hosts` (same indices); its keys view hosts[i].host.address_text, so
  // a HostSet is built in place and never copied (see make_host_set in lb/cluster_state.h).
  std::vector<LbHost> view;
  bool panic = false;  // too few hosts available: `view` offers every host (Envoy's panic mode)
  HostSet() = default;
  HostSet(const HostSet&) = delete;
  HostSet& operator=(const HostSet&) = delete;
};
using HostSetPtr = std::shared_ptr<const HostSet>;

}  // namespace ringress::lb
