// AvailableHosts: the hosts of a view that a policy may pick, in the form every policy needs:
// their indices and weights in view order, a flag per view index, and the retry helpers that
// tell whether an untried host remains and pick one directly. Internal to lb/'s policies.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lb/load_balancer.h"
#include "lb/random.h"

namespace ringress::lb {

class AvailableHosts {
 public:
  explicit AvailableHosts(HostSetView hosts);

  bool empty() const { return indices_.empty(); }
  std::size_t size() const { return indices_.size(); }
  // Position p (0 <= p < size()) -> view index, and its weight.
  std::size_t index(std::size_t p) const { return indices_[p]; }
  uint32_t weight(std::size_t p) const { return weights_[p]; }
  bool contains(std::size_t host) const { return host < flags_.size() && flags_[host] != 0; }
  // Every available host has the same weight (policies then take their unweighted fast path).
  bool uniform() const { return uniform_; }
  uint64_t total_weight() const { return total_; }

  // Whether a retry should look for another host: `attempted` is not empty and does not cover
  // every available host.
  bool untried_remains(std::span<const std::size_t> attempted) const;
  // An available host not in `attempted`, drawn by weight (a linear scan: the rare last resort
  // of a retry after its bounded re-draws); nullopt when there is none.
  std::optional<std::size_t> random_untried(std::span<const std::size_t> attempted,
                                            Random& random) const;

 private:
  std::vector<uint32_t> indices_;
  std::vector<uint32_t> weights_;
  std::vector<uint8_t> flags_;  // per view index
  uint64_t total_ = 0;
  bool uniform_ = true;
};

}  // namespace ringress::lb
