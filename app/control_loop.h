// ControlLoop: the main thread's reactor, which owns what is decided once per process rather
// than per worker (docs/design.md, "Clusters: the control loop and host-set snapshots"):
// - per cluster a lb::ClusterState (hosts, health, ejections) and its host-set snapshots, sent
//   to every worker through the WorkerRegistry when they change;
// - the clusters' active health checks (lb/health_checker.h), whose verdicts go to ClusterState;
// - dns and file discovery (lb/dns_discovery.h, lb/file_discovery.h), whose endpoint sets
//   replace the cluster's hosts (and the health checks' targets);
// - the per-host outcomes the workers report in batches (its inbox), fed to outlier detection;
// - the process's signals: SIGTERM and SIGINT end run(), SIGHUP is logged, SIGUSR2 starts a
//   successor binary and SIGCHLD reaps it (app/upgrade_server.h), whose hand-over also ends run().
//
// Signals arrive through a signalfd read on this reactor's ring (not a sigwaitinfo thread): a
// signal is then one more event of the loop that also runs the clusters' checks, and the stop
// is an ordinary coroutine that cancels those checks in order, without a second thread and the
// cross-thread hand-off it would need. The signals must be blocked in every thread (main blocks
// them before any thread starts, and threads inherit the mask), so none is delivered elsewhere.
#pragma once

#include <signal.h>

#include <memory>
#include <vector>

#include "app/messages.h"
#include "app/worker_registry.h"
#include "conf/config.h"
#include "core/buffer_pool.h"
#include "core/channel.h"
#include "core/reactor.h"
#include "core/task.h"
#include "core/task_scope.h"
#include "lb/cluster_state.h"
#include "lb/dns_discovery.h"
#include "lb/file_discovery.h"
#include "lb/health_checker.h"

namespace ringress::app {

class UpgradeServer;

class AdminServer;
struct ClusterControlStats;

class ControlLoop {
 public:
  // On the thread that will call run() (its reactor belongs to that thread). Resolves the dns
  // clusters' names once (bounded by the resolver's timeouts) before returning.
  explicit ControlLoop(const conf::Config& config);
  ~ControlLoop();
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  // The snapshot each cluster's workers start with (config order).
  std::vector<lb::HostSetPtr> initial_host_sets() const;
  // Where workers send their reports; lives until this object is destroyed, after the workers.
  core::Channel<ControlMessage>& inbox() { return inbox_; }
  WorkerRegistry& registry() { return registry_; }
  // Serve binary upgrades from run(): `server` must outlive it.
  void serve_upgrades(UpgradeServer& server) { upgrade_ = &server; }

  // Runs the loop until SIGTERM or SIGINT arrives or a successor took the listening sockets;
  // `signals` (blocked) holds those, SIGHUP, SIGUSR2 and SIGCHLD.
  // On return the registry is closed: the workers keep their last snapshots while they drain.
  void run(const sigset_t& signals);

  const lb::ClusterState& cluster(std::size_t i) const { return *clusters_[i]; }

  // Logs, per cluster, the counters of what ran here (after run()): outlier detection, health
  // checks, dns or file discovery; a cluster with none of them logs nothing.
  void log_totals() const;

  // Admin endpoint ([admin], app/admin_server.h): why it could not listen ("" when it does or
  // is off). It serves from run() on, and keeps serving through wait_for_workers().
  const std::string& admin_error() const;
  // After run() returned and the workers were told to drain: turns the loop (the admin endpoint
  // and the workers' reports) until every worker said it stopped, or drain_timeout + 5 s.
  void wait_for_workers();
  // POST /drain: the graceful stop SIGTERM starts (the process signals itself).
  void request_drain();
  // The control loop's stats of cluster `i`, for /stats.
  ClusterControlStats cluster_control_stats(std::size_t i) const;

 private:
  core::Task<void> main(int signal_fd);
  core::Task<void> warm_up();
  void on_messages(std::span<ControlMessage> batch);
  void on_endpoints(std::size_t cluster, const std::vector<lb::DiscoveredEndpoint>& endpoints);
  core::Task<void> drain_phase();

  const conf::Config& config_;
  core::Reactor reactor_;
  core::Channel<ControlMessage> inbox_;
  WorkerRegistry registry_;
  std::vector<std::unique_ptr<lb::ClusterState>> clusters_;
  std::unique_ptr<core::BufferPool> probe_buffers_;           // when some cluster has health checks
  std::vector<std::unique_ptr<lb::HealthChecker>> checkers_;  // per cluster; null without
  std::vector<std::unique_ptr<lb::DnsDiscovery>> dns_;        // per cluster; null unless dns
  std::vector<std::unique_ptr<lb::FileDiscovery>> files_;     // per cluster; null unless file
  std::unique_ptr<AdminServer> admin_;                        // when [admin] is set
  core::TaskScope admin_scope_;  // the admin server's loop, across run() and wait_for_workers()
  std::size_t stopped_workers_ = 0;
  UpgradeServer* upgrade_ = nullptr;
};

}  // namespace ringress::app
