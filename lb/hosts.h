// The hosts of a cluster: every resolved address of every endpoint, with its share of the
// endpoint's weight and the endpoint's text (for auto_host_rewrite). Index i is the same
// everywhere in lb/.
//
// An endpoint's weight belongs to the endpoint, not to each of its addresses: a name with three
// A records and weight 3 weighs 3 in total, like an address with weight 3. Each address gets
// weight * S / addresses, where S is the least common multiple of the clusters' address counts
// (so the shares are exact integers and an endpoint of one address keeps its weight when every
// endpoint has one). When that multiple would exceed kMaxWeightScale, S = kMaxWeightScale and
// each share is rounded (never below 1), an error under 1/kMaxWeightScale of a weight.
#pragma once

#include <span>
#include <vector>

#include "conf/config.h"
#include "lb/host.h"
#include "lb/load_balancer.h"

namespace ringress::lb {

inline constexpr uint64_t kMaxWeightScale = 720720;  // lcm(1..16): exact up to 16 addresses

std::vector<Host> hosts_of(const conf::Cluster& cluster);

// The policies' view of `hosts`, all available. Keys view the hosts' address_text, so `hosts`
// must outlive the result.
std::vector<LbHost> lb_hosts(std::span<const Host> hosts);

}  // namespace ringress::lb
