// Ring hash (ketama consistent hashing, Envoy's RING_HASH): every available host gets points
// on a 64-bit ring, hash64("<key>_<i>") for its i-th point; a request goes to the host of the
// first point at or after its hash key (binary search), wrapping around. Adding or removing one
// of N hosts moves only the keys between that host's points and their predecessors: about 1/N
// of them; the others keep their host.
//
// Ring size follows Envoy: with w_min the lightest host's share of the total weight, the ring
// has scale = min(ceil(w_min * minimum_ring_size) / w_min, maximum_ring_size) points, host h
// getting about scale * share(h) of them (at least one each). A host's share of the keys is its
// share of the ring's length, which is close to its share of points once it has many: with the
// default minimum of 1024 and ten hosts, each has ~100 points and its load is within about 10%
// of its weight; more points (minimum_ring_size) make it closer, at 12 bytes a point.
//
// HashRing is the immutable table, built once per host set (by the control thread) and shared
// by every worker's RingHash through std::shared_ptr<const HashRing>.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "conf/config.h"
#include "lb/available_hosts.h"
#include "lb/load_balancer.h"
#include "lb/random.h"

namespace ringress::lb {

class HashRing {
 public:
  // Points for the available hosts of `hosts`. Empty when none is available.
  static std::shared_ptr<const HashRing> build(HostSetView hosts,
                                               const conf::RingHashSettings& settings);

  std::size_t size() const { return points_.size(); }     // points
  std::size_t host_count() const { return host_count_; }  // the view's size when built
  // The first point at or after `hash` (wrapping to 0); the ring must not be empty.
  std::size_t point_at(uint64_t hash) const;
  std::size_t host_of(std::size_t point) const { return hosts_[point]; }
  uint64_t hash_of(std::size_t point) const { return points_[point]; }

 private:
  std::vector<uint64_t> points_;  // sorted
  std::vector<uint32_t> hosts_;   // host of each point
  std::size_t host_count_ = 0;
};

class RingHash final : public LoadBalancer {
 public:
  // `ring` was built from the same view (build_lb_tables); when null it is built here.
  RingHash(HostSetView hosts, std::shared_ptr<const HashRing> ring,
           const conf::RingHashSettings& settings, uint64_t seed);

  // With a hash key: the key's host; a retry walks the ring onward to the next point whose
  // host is available and untried. Without a key: a random point (so weighted random).
  std::optional<std::size_t> pick(const PickContext& context) override;

  const HashRing& ring() const { return *ring_; }

 private:
  AvailableHosts available_;
  std::shared_ptr<const HashRing> ring_;
  Random random_;
};

}  // namespace ringress::lb
