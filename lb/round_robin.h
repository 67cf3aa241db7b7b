// RoundRobin: smooth weighted round robin over a cluster's available hosts (the nginx
// algorithm): over any window of sum(weights) picks each host is chosen `weight` times,
// interleaved rather than in bursts. Equal weights take a plain rotation (the same sequence,
// in O(1) instead of O(hosts)). One instance per worker, so picking takes no lock. Every
// instance starts at the first host, as nginx does.
//
// A retry steps the rotation again (at most kRedraws times) until it reaches a host not yet
// tried, then takes the untried host that the algorithm favours next (the highest current
// weight; the next in rotation order when weights are equal).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "lb/available_hosts.h"
#include "lb/host.h"
#include "lb/load_balancer.h"

namespace ringress::lb {

class RoundRobin final : public LoadBalancer {
 public:
  explicit RoundRobin(HostSetView hosts);
  // Owns `hosts`, all available, for callers that look a host up by its index (host(i)): the
  // TCP proxy and the HTTP upstream path pick with pick() and host().
  explicit RoundRobin(std::vector<Host> hosts);

  std::optional<std::size_t> pick(const PickContext& context) override;
  // Index of the next host; at least one host must be available.
  std::size_t pick();

  // The hosts given to the owning constructor.
  const Host& host(std::size_t i) const { return hosts_[i]; }
  std::size_t size() const { return hosts_.size(); }

  static constexpr int kRedraws = 3;

 private:
  std::size_t step();  // one step of the rotation: a view index
  std::size_t favoured_untried(std::span<const std::size_t> attempted);

  AvailableHosts available_;
  std::vector<int64_t> current_;  // per available position (weighted)
  int64_t total_ = 0;
  std::size_t cursor_ = 0;  // next available position (equal weights)
  std::vector<Host> hosts_;
};

}  // namespace ringress::lb
