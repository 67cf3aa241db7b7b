#include "lb/round_robin.h"

#include "lb/hosts.h"

namespace ringress::lb {

RoundRobin::RoundRobin(HostSetView hosts) : available_(hosts) {
  current_.assign(available_.size(), 0);
  total_ = static_cast<int64_t>(available_.total_weight());
}

RoundRobin::RoundRobin(std::vector<Host> hosts) : RoundRobin(lb_hosts(hosts)) {
  hosts_ = std::move(hosts);
}

std::size_t RoundRobin::step() {
  if (available_.uniform()) {
    std::size_t p = cursor_;
    cursor_ = cursor_ + 1 == available_.size() ? 0 : cursor_ + 1;
    return available_.index(p);
  }
  std::size_t best = 0;
  for (std::size_t p = 0; p < current_.size(); ++p) {
    current_[p] += available_.weight(p);
    if (current_[p] > current_[best]) best = p;
  }
  current_[best] -= total_;
  return available_.index(best);
}

std::size_t RoundRobin::pick() { return step(); }

std::optional<std::size_t> RoundRobin::pick(const PickContext& context) {
  if (available_.empty()) return std::nullopt;
  std::size_t host = step();
  if (!was_attempted(context.attempted, host) || !available_.untried_remains(context.attempted))
    return host;
  for (int i = 0; i < kRedraws; ++i) {
    host = step();
    if (!was_attempted(context.attempted, host)) return host;
  }
  return favoured_untried(context.attempted);
}

std::size_t RoundRobin::favoured_untried(std::span<const std::size_t> attempted) {
  const std::size_t n = available_.size();
  if (available_.uniform()) {
    for (std::size_t k = 0; k < n; ++k) {
      std::size_t p = (cursor_ + k) % n;
      if (was_attempted(attempted, available_.index(p))) continue;
      cursor_ = p + 1 == n ? 0 : p + 1;
      return available_.index(p);
    }
  }
  std::size_t best = n;
  for (std::size_t p = 0; p < n; ++p) {
    if (was_attempted(attempted, available_.index(p))) continue;
    if (best == n || current_[p] > current_[best]) best = p;
  }
  return available_.index(best);
}

}  // namespace ringress::lb
