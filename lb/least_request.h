// LeastRequest: send a request where the fewest requests are in flight, as Envoy's
// LEAST_REQUEST does.
// - Equal weights: power of `choice_count` choices (default 2): draw that many available hosts
//   at random (with replacement) and take the one with the fewest active requests (the first
//   drawn on a tie). Two choices already avoid the herd that "always the least loaded" causes
//   when many workers act on stale counts, at O(choices) per pick.
// - Different weights: earliest-deadline-first weighted round robin, where a host's effective
//   weight is weight / (active requests + 1)^bias with bias 1.0, evaluated each time the host
//   is picked (Envoy's active_request_bias default). With no requests in flight the shares are
//   exactly the weights; a host that holds requests longer gets proportionally fewer. O(log
//   hosts) per pick (a binary heap of deadlines). Each worker starts its deadlines at a random
//   offset, so the workers' first picks differ.
//
// Active request counts are per worker and belong to the caller: `active_requests[i]` is what
// host i has in flight on this worker. The caller keeps them with the host's other per-worker
// state (its connection pool), increments when a request is sent and decrements when it ends;
// the policy only reads them. Counters owned by the caller survive a new host-set snapshot (a
// new policy), and a request that started under the old policy ends on the right counter.
//
// A retry draws again (at most kRedraws times), then takes the untried host with the lowest
// active / weight.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "lb/available_hosts.h"
#include "lb/load_balancer.h"
#include "lb/random.h"

namespace ringress::lb {

class LeastRequest final : public LoadBalancer {
 public:
  // `active_requests` is empty (every host idle) or has one counter per host of `hosts`, and
  // outlives the policy. choice_count >= 1.
  LeastRequest(HostSetView hosts, uint32_t choice_count, std::span<const uint32_t> active_requests,
               uint64_t seed);

  std::optional<std::size_t> pick(const PickContext& context) override;

  static constexpr int kRedraws = 3;

 private:
  struct Deadline {
    double at;
    uint64_t order;     // ties: the earlier scheduled first
    uint32_t position;  // in available_
  };
  static bool later(const Deadline& a, const Deadline& b);
  std::size_t choose();
  std::size_t choose_of_choices();
  std::size_t earliest_deadline();
  std::size_t least_loaded_untried(std::span<const std::size_t> attempted) const;
  uint32_t active(std::size_t host) const { return host < active_.size() ? active_[host] : 0; }

  AvailableHosts available_;
  uint32_t choice_count_;
  std::span<const uint32_t> active_;
  Random random_;
  std::vector<Deadline> heap_;  // min-heap by (at, order); weighted only
  uint64_t order_ = 0;
};

}  // namespace ringress::lb
