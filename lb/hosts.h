// The hosts of a cluster: every resolved address of every endpoint, with the endpoint's weight
// and its text (for auto_host_rewrite). Index i is the same everywhere in lb/.
#pragma once

#include <vector>

#include "conf/config.h"
#include "lb/round_robin.h"

namespace ringress::lb {

std::vector<Host> hosts_of(const conf::Cluster& cluster);

}  // namespace ringress::lb
