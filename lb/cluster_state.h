// ClusterState: everything about one cluster that is per process rather than per worker, owned
// by the control loop (app/control_loop.h) and used on its thread only: the cluster's hosts
// (static today; discovery replaces them through set_endpoints), each host's health verdict and
// ejection, and the immutable snapshot (lb/host_set.h) the workers pick from.
//
// Every change that alters what a worker may pick builds a new snapshot (lb/cluster_hosts.h:
// priority levels, panic mode, the policy's tables) and hands it to `publish`, which sends it to
// every worker. Health verdicts are kept by address, so a host that stays across an endpoint
// change keeps its verdict; ejections follow their host too (the outlier detector is re-indexed).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "conf/config.h"
#include "core/clock.h"
#include "lb/discovered_endpoints.h"
#include "lb/host_outcome.h"
#include "lb/host_set.h"
#include "lb/outlier_detector.h"

namespace ringress::lb {

// Control-side counters of one cluster.
struct ClusterStateStats {
  uint64_t snapshots = 0;       // host sets published (the first included)
  uint64_t host_changes = 0;    // endpoint sets applied (discovery)
  uint64_t health_changes = 0;  // hosts that turned healthy or unhealthy
  uint64_t ejections = 0;       // hosts ejected by outlier detection
  uint64_t stale_outcomes = 0;  // reports about a host gone or a list two changes old, dropped
};

class ClusterState {
 public:
  using Publish = std::function<void(const HostSetPtr&)>;

  // Builds the first snapshot from the cluster's static endpoints (not published: workers start
  // with current()).
  ClusterState(const conf::Cluster& config, Publish publish);
  ~ClusterState();
  ClusterState(const ClusterState&) = delete;
  ClusterState& operator=(const ClusterState&) = delete;

  const conf::Cluster& config() const { return config_; }
  const HostSetPtr& current() const { return current_; }
  const ClusterStateStats& stats() const { return stats_; }
  OutlierDetector* outlier_detector() { return outlier_.get(); }
  const OutlierDetector* outlier_detector() const { return outlier_.get(); }

  // Discovery: the cluster's whole endpoint set is now `endpoints`.
  void set_endpoints(std::span<const DiscoveredEndpoint> endpoints);
  // Active health checking: host `index` of the current set has a new verdict.
  void set_healthy(std::size_t index, bool healthy, std::string_view why);
  // Outcomes the workers reported. A health change or an ejection publishes a new snapshot
  // with the same host list, so a report made on any snapshot since the list last changed is
  // counted as is; one made on the list before that is moved to its host's index by address
  // (dropped if the host left); older ones are dropped.
  void record(std::span<const OutcomeReport> batch, core::TimePoint now);
  // Ejections that expired by `now` (call it at outlier_detector()->next_deadline()).
  void tick(core::TimePoint now);

 private:
  void apply(std::vector<EjectionChange> changes);
  void republish(std::vector<HostEntry> hosts);
  // The index in the current list of host `host` of a report made on snapshot `version`.
  std::optional<std::size_t> current_index(std::size_t host, uint64_t version) const;

  const conf::Cluster& config_;
  Publish publish_;
  HostSetPtr current_;
  std::unique_ptr<OutlierDetector> outlier_;  // when the cluster has outlier_detection
  ClusterStateStats stats_;
  // Snapshots from list_version_ on have the current host list; those from previous_version_
  // (0: none) to list_version_ - 1 had the previous one, whose host i is now previous_to_
  // current_[i] (OutlierDetector::kNewHost: it left).
  uint64_t list_version_ = 0;
  uint64_t previous_version_ = 0;
  std::vector<std::size_t> previous_to_current_;
};

}  // namespace ringress::lb
