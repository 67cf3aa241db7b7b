// HealthChecker: the active health checks of one cluster's hosts (its `health_check` table,
// conf/health_check.h), run once per process on the control loop's reactor, not per worker.
//
// Each target (a host: one address of an endpoint) has its own check loop: a probe
// (lb/health_probe.h) right away, then one every `interval` (plus up to interval_jitter_percent
// of it at random, so the checks of many hosts spread out), or every `unhealthy_interval` while
// the host is unhealthy. A verdict changes only after `unhealthy_threshold` failed probes in a
// row (healthy -> unhealthy) or `healthy_threshold` passed ones (unhealthy -> healthy); each
// change is logged in one line (cluster, host, verdict, why) and reported through HealthChange.
//
// Hosts start healthy: with the first probe sent at once, a host that is down is out after
// unhealthy_threshold probes, while a restart of the proxy never black-holes a cluster whose
// hosts are fine until a first round of checks passed (Envoy starts hosts unhealthy instead).
//
// Everything here runs on the thread whose reactor runs run(); nothing is shared with workers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "conf/config.h"
#include "core/buffer_pool.h"
#include "core/cancel_token.h"
#include "core/socket_address.h"
#include "core/task.h"
#include "core/task_scope.h"
#include "lb/host.h"
#include "lb/random.h"

namespace ringress::lb {

class ConnectionPool;

// A host to check.
struct HealthTarget {
  core::SocketAddress address;
  std::string host_header;  // the Host of http checks when the config sets no `host`
  std::string sni;          // the TLS server name (unless the cluster's tls sets server_name)
};

// The targets for `hosts` (the endpoint's name as Host, its host part as server name).
std::vector<HealthTarget> health_targets(std::span<const Host> hosts);

// Called on the checker's thread when a target's verdict changes (after the thresholds), with
// the target's index in the last set_targets() and what the last probe saw ("status 503").
using HealthChange = std::function<void(std::size_t target, bool healthy, std::string_view why)>;

// Counters of one checker (all targets), for stats output.
struct HealthCheckStats {
  uint64_t checks = 0;            // probes that ended with a result
  uint64_t failures = 0;          // of those, failed ones
  uint64_t became_unhealthy = 0;  // verdict changes healthy -> unhealthy
  uint64_t became_healthy = 0;    // verdict changes unhealthy -> healthy
  uint64_t changes() const { return became_unhealthy + became_healthy; }
};

class HealthChecker {
 public:
  // `cluster` must have a health_check and outlive this. Probes read through `buffers`, a
  // buffer pool of the reactor run() runs on.
  HealthChecker(const conf::Cluster& cluster, core::BufferPool& buffers, HealthChange on_change);
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  // The hosts to check, replacing the previous ones. A target whose address was already checked
  // keeps its verdict and counts (at its new index); a new one starts healthy and is probed at
  // once; a removed one stops being checked. Callable before and during run().
  void set_targets(std::vector<HealthTarget> targets);

  // Runs every target's check loop until `stop` is cancelled, then ends them (a probe in flight
  // is cancelled, no verdict comes of it) and returns once all have ended. The checker must not
  // be destroyed while run() has not returned.
  core::Task<void> run(core::CancelToken& stop);

  std::size_t target_count() const { return targets_.size(); }
  bool healthy(std::size_t target) const;
  const HealthCheckStats& stats() const { return stats_; }

 private:
  struct Target;
  core::Task<void> check_loop(std::shared_ptr<Target> target);
  void start(const std::shared_ptr<Target>& target);
  void record(Target& target, bool passed, const std::string& why);
  core::Duration next_wait(const Target& target);

  const conf::Cluster& cluster_;
  const conf::HealthCheck& check_;
  core::BufferPool& buffers_;
  HealthChange on_change_;
  std::vector<std::shared_ptr<Target>> targets_;
  core::TaskScope loops_;
  bool running_ = false;
  Random random_;
  HealthCheckStats stats_;
};

}  // namespace ringress::lb
