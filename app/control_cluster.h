// ControlCluster: the control loop's objects for one cluster definition (docs/design.md,
// "Clusters: the control loop and host-set snapshots"): its lb::ClusterState (hosts, health,
// ejections, snapshots), its active health checks, dns or file discovery and the outlier
// detector's expiry ticks, and the coroutines that run them. It is named by a stable id, never
// reused, which the workers' messages carry. A reload keeps the object (and so its hosts'
// verdicts, ejections and discovery) while the cluster's definition is unchanged
// (conf::Cluster::fingerprint); a changed or new definition gets a new one with a new id.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "app/admin_stats.h"
#include "app/messages.h"
#include "conf/config.h"
#include "core/buffer_pool.h"
#include "core/task.h"
#include "core/task_scope.h"
#include "lb/cluster_state.h"
#include "lb/dns_discovery.h"
#include "lb/file_discovery.h"
#include "lb/health_checker.h"

namespace ringress::app {

class ControlCluster {
 public:
  // The cluster owner->clusters[index]. `probes`: the control loop's pool for health-check
  // responses (null when no cluster checks); `publish` sends a new snapshot to the workers.
  ControlCluster(uint32_t id, std::shared_ptr<const conf::Config> owner, std::size_t index,
                 core::BufferPool* probes, std::function<void(const ClusterSpec&)> publish);
  ~ControlCluster();
  ControlCluster(const ControlCluster&) = delete;
  ControlCluster& operator=(const ControlCluster&) = delete;

  // A dns cluster resolves its names once (bounded by the resolver's timeouts).
  core::Task<void> warm_up();
  // Starts the health checks, discovery and ejection ticks on the calling reactor.
  void start();
  // Cancels them; join() waits until they ended (then the object may be destroyed).
  void stop() { tasks_.cancel(); }
  auto join() { return tasks_.join(); }

  uint32_t id() const { return id_; }
  const conf::Cluster& config() const { return owner_->clusters[index_]; }
  // What a ConfigUpdate says about it (with its current snapshot).
  ClusterSpec spec() const { return ClusterSpec{id_, owner_, index_, state_->current()}; }
  lb::ClusterState& state() { return *state_; }
  const lb::ClusterState& state() const { return *state_; }
  ClusterControlStats stats() const;
  // Its control-side counters (outlier detection, checks, discovery), at exit.
  void log_totals() const;

 private:
  void on_endpoints(const std::vector<lb::DiscoveredEndpoint>& endpoints);

  const uint32_t id_;
  const std::shared_ptr<const conf::Config> owner_;
  const std::size_t index_;
  std::unique_ptr<lb::ClusterState> state_;
  std::unique_ptr<lb::HealthChecker> checker_;  // with a health_check
  std::unique_ptr<lb::DnsDiscovery> dns_;       // discovery = "dns"
  std::unique_ptr<lb::FileDiscovery> file_;     // discovery = "file"
  core::TaskScope tasks_;
};

}  // namespace ringress::app
