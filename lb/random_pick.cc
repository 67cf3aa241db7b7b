#include "lb/random_pick.h"

#include <algorithm>

namespace ringress::lb {

RandomPick::RandomPick(HostSetView hosts, uint64_t seed) : available_(hosts), random_(seed) {
  if (available_.uniform()) return;
  uint64_t sum = 0;
  for (std::size_t p = 0; p < available_.size(); ++p) {
    sum += available_.weight(p);
    cumulative_.push_back(sum);
  }
}

std::size_t RandomPick::draw() {
  if (available_.uniform()) return available_.index(random_.below(available_.size()));
  uint64_t r = random_.below(available_.total_weight());
  auto at = std::upper_bound(cumulative_.begin(), cumulative_.end(), r);
  return available_.index(static_cast<std::size_t>(at - cumulative_.begin()));
}

std::optional<std::size_t> RandomPick::pick(const PickContext& context) {
  if (available_.empty()) return std::nullopt;
  std::size_t host = draw();
  if (!was_attempted(context.attempted, host) || !available_.untried_remains(context.attempted))
    return host;
  for (int i = 0; i < kRedraws; ++i) {
    host = draw();
    if (!was_attempted(context.attempted, host)) return host;
  }
  return available_.random_untried(context.attempted, random_);
}

}  // namespace ringress::lb
