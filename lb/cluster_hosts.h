// Building host-set snapshots (lb/host_set.h): the hosts of a cluster's endpoints, and which of
// them the workers' policies may pick.
//
// Which hosts are offered (Envoy's priority levels, overprovisioning factor and panic mode):
// - A host is available when it is healthy (active checks) and not ejected (outlier detection).
// - Each priority level (0 primaries, 1 backups) has a health of 1.4 x its available share of
//   hosts, capped at 100%. Level 0 takes that much of the traffic, level 1 the rest up to its
//   own health: primaries alone while at least 72% of them are available, backups joining in
//   proportion as more primaries fail. Levels that share the traffic get weights scaled to their
//   share; a level alone keeps its hosts' weights as configured.
// - When the levels' total health is below the cluster's panic_threshold (but not zero), every
//   host is offered with its configured weight (panic: better some requests to failing hosts
//   than all of them to the few left). With no available host at all nothing is offered, and
//   requests get 503 "no healthy upstream" (UH).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "conf/config.h"
#include "lb/discovered_endpoints.h"
#include "lb/host_set.h"

namespace ringress::lb {

// The cluster's static endpoints as snapshot entries (lb/hosts.h splits each endpoint's weight
// among its addresses; an endpoint's `backup` makes its hosts priority 1).
std::vector<HostEntry> static_host_entries(const conf::Cluster& cluster);

// Discovered endpoints as snapshot entries: entries sharing a name are one endpoint, whose
// weight is split among its addresses as for static endpoints.
std::vector<HostEntry> discovered_host_entries(std::span<const DiscoveredEndpoint> endpoints);

// A snapshot of `hosts` (their healthy / ejected flags set) with the view and tables the
// cluster's policy needs. Built on the control thread.
HostSetPtr make_host_set(uint64_t version, std::vector<HostEntry> hosts,
                         const conf::Cluster& cluster);

}  // namespace ringress::lb
