// RandomPick: weighted random, as Envoy's RANDOM: each pick draws host i with probability
// weight_i / sum(weights) of the available hosts. O(1) with equal weights, O(log hosts) with
// different ones (binary search over cumulative weights). No state shared between picks but
// the generator, so it spreads load well when many workers pick with no coordination. A retry
// draws again (at most kRedraws times), then draws among the untried hosts directly.
#pragma once

#include <cstdint>
#include <vector>

#include "lb/available_hosts.h"
#include "lb/load_balancer.h"
#include "lb/random.h"

namespace ringress::lb {

class RandomPick final : public LoadBalancer {
 public:
  RandomPick(HostSetView hosts, uint64_t seed);

  std::optional<std::size_t> pick(const PickContext& context) override;

  static constexpr int kRedraws = 3;

 private:
  std::size_t draw();

  AvailableHosts available_;
  std::vector<uint64_t> cumulative_;  // cumulative_[p] = weights of positions 0..p
  Random random_;
};

}  // namespace ringress::lb
