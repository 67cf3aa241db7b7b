#include "lb/available_hosts.h"

namespace ringress::lb {

AvailableHosts::AvailableHosts(HostSetView hosts) : flags_(hosts.size(), 0) {
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (!hosts[i].available || hosts[i].weight == 0) continue;
    if (!weights_.empty() && hosts[i].weight != weights_.front()) uniform_ = false;
    indices_.push_back(static_cast<uint32_t>(i));
    weights_.push_back(hosts[i].weight);
    flags_[i] = 1;
    total_ += hosts[i].weight;
  }
}

bool AvailableHosts::untried_remains(std::span<const std::size_t> attempted) const {
  if (attempted.empty()) return false;
  // Distinct available hosts among `attempted` (a retry list is short: quadratic is fine).
  std::size_t tried = 0;
  for (std::size_t i = 0; i < attempted.size(); ++i) {
    if (contains(attempted[i]) && !was_attempted(attempted.first(i), attempted[i])) ++tried;
  }
  return tried < indices_.size();
}

std::optional<std::size_t> AvailableHosts::random_untried(std::span<const std::size_t> attempted,
                                                          Random& random) const {
  uint64_t total = 0;
  for (std::size_t p = 0; p < indices_.size(); ++p) {
    if (!was_attempted(attempted, indices_[p])) total += weights_[p];
  }
  if (total == 0) return std::nullopt;
  uint64_t r = random.below(total);
  for (std::size_t p = 0; p < indices_.size(); ++p) {
    if (was_attempted(attempted, indices_[p])) continue;
    if (r < weights_[p]) return indices_[p];
    r -= weights_[p];
  }
  return std::nullopt;
}

}  // namespace ringress::lb
