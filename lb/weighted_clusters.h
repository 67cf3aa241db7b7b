// choose_cluster: which of a route's clusters takes a request when the route splits traffic by
// weight (canary releases, blue/green). Each worker draws from its own generator: no lock.
#pragma once

#include <cstddef>
#include <span>

#include "conf/http_config.h"

namespace ringress::lb {

// The `cluster` index of one entry of `clusters` (not empty), drawn with probability
// weight / sum(weights).
std::size_t choose_cluster(std::span<const conf::WeightedCluster> clusters);

}  // namespace ringress::lb
