#include "lb/ring_hash.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "lb/hash.h"

namespace ringress::lb {

std::shared_ptr<const HashRing> HashRing::build(HostSetView hosts,
                                                const conf::RingHashSettings& settings) {
  auto ring = std::make_shared<HashRing>();
  ring->host_count_ = hosts.size();
  AvailableHosts available(hosts);
  if (available.empty()) return ring;
  const double total = static_cast<double>(available.total_weight());
  uint32_t lightest = available.weight(0);
  for (std::size_t p = 1; p < available.size(); ++p)
    lightest = std::min(lightest, available.weight(p));
  const double min_share = lightest / total;
  const double scale = std::min(std::ceil(min_share * settings.minimum_ring_size) / min_share,
                                static_cast<double>(settings.maximum_ring_size));

  // Each host's points end where the running total of scale * share reaches: the ring's size
  // is scale (rounded), however the shares round. Every host gets at least one point.
  std::vector<std::pair<uint64_t, uint32_t>> points;
  points.reserve(static_cast<std::size_t>(scale) + available.size());
  double target = 0;
  uint64_t placed = 0;
  std::string text;
  for (std::size_t p = 0; p < available.size(); ++p) {
    target += scale * (available.weight(p) / total);
    const uint64_t end = std::max(placed + 1, static_cast<uint64_t>(std::llround(target)));
    const std::string_view key = hosts[available.index(p)].key;
    for (uint64_t i = 0; placed < end; ++i, ++placed) {
      text.assign(key).append("_").append(std::to_string(i));
      points.push_back({hash64(text), static_cast<uint32_t>(available.index(p))});
    }
  }
  std::sort(points.begin(), points.end());
  ring->points_.reserve(points.size());
  ring->hosts_.reserve(points.size());
  for (const auto& [hash, host] : points) {
    ring->points_.push_back(hash);
    ring->hosts_.push_back(host);
  }
  return ring;
}

std::size_t HashRing::point_at(uint64_t hash) const {
  auto at = std::lower_bound(points_.begin(), points_.end(), hash);
  return at == points_.end() ? 0 : static_cast<std::size_t>(at - points_.begin());
}

RingHash::RingHash(HostSetView hosts, std::shared_ptr<const HashRing> ring,
                   const conf::RingHashSettings& settings, uint64_t seed)
    : available_(hosts), ring_(std::move(ring)), random_(seed) {
  if (!ring_ || ring_->host_count() != hosts.size()) ring_ = HashRing::build(hosts, settings);
}

std::optional<std::size_t> RingHash::pick(const PickContext& context) {
  if (available_.empty() || ring_->size() == 0) return std::nullopt;
  const uint64_t hash = context.hash ? *context.hash : random_.next();
  std::size_t point = ring_->point_at(hash);
  const bool avoid = available_.untried_remains(context.attempted);
  // Walk onward past hosts the caller does not allow (when the ring was built for other
  // health) and, on a retry, past hosts already tried; one lap at most.
  for (std::size_t step = 0; step < ring_->size(); ++step) {
    std::size_t host = ring_->host_of(point);
    if (available_.contains(host) && !(avoid && was_attempted(context.attempted, host)))
      return host;
    point = point + 1 == ring_->size() ? 0 : point + 1;
  }
  return available_.random_untried(avoid ? context.attempted : std::span<const std::size_t>{},
                                   random_);
}

}  // namespace ringress::lb
