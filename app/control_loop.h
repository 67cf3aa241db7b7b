// ControlLoop: the main thread's reactor, which owns what is decided once per process rather
// than per worker (docs/design.md, "Clusters: the control loop and host-set snapshots"):
// - the running config generation (docs/design.md, "Config generations"): the immutable config,
//   shared read-only with the workers, its number (1, 2, ...) and the file's text;
// - per cluster a ControlCluster (app/control_cluster.h): hosts, health, ejections, checks and
//   discovery, named by a stable id, whose host-set snapshots go to every worker through the
//   WorkerRegistry;
// - the per-host outcomes the workers report in batches (its inbox), fed to outlier detection;
// - reload (SIGHUP, the admin endpoint's POST /reload): the file is loaded and validated
//   completely, checked against the running config (app/config_reload.h), new listeners bound;
//   only then every worker gets the new generation (ConfigUpdate). A refused reload changes
//   nothing;
// - the process's signals: SIGTERM and SIGINT end run(), SIGHUP reloads, SIGUSR2 starts a
//   successor binary and SIGCHLD reaps it (app/upgrade_server.h), whose hand-over also ends run().
//
// Signals arrive through a signalfd read on this reactor's ring (not a sigwaitinfo thread): a
// signal is then one more event of the loop that also runs the clusters' checks, and the stop
// is an ordinary coroutine that cancels those checks in order, without a second thread and the
// cross-thread hand-off it would need. The signals must be blocked in every thread (main blocks
// them before any thread starts, and threads inherit the mask), so none is delivered elsewhere.
#pragma once

#include <signal.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/control_cluster.h"
#include "app/messages.h"
#include "app/worker_registry.h"
#include "conf/config.h"
#include "core/buffer_pool.h"
#include "core/channel.h"
#include "core/reactor.h"
#include "core/task.h"
#include "core/task_scope.h"

namespace ringress::app {

class UpgradeServer;
class AdminServer;

// What a reload did.
struct ReloadResult {
  bool ok = false;
  uint64_t generation = 0;  // the generation serving afterwards
  std::string error;        // why it was refused (the config error's file:line:col first)
  // The admin endpoint's answer: 200; 400 a config that cannot apply (invalid, or a key that
  // needs a restart); 409 a reload in progress; 500 the file unreadable or a port taken; 503
  // draining.
  uint16_t status = 200;
  std::string summary;  // what changed, when ok
};

class ControlLoop {
 public:
  // On the thread that will call run() (its reactor belongs to that thread). `config` is
  // generation 1, loaded from `text`. Resolves the dns clusters' names once (bounded by the
  // resolver's timeouts) before returning.
  ControlLoop(std::shared_ptr<const conf::Config> config, std::string text);
  ~ControlLoop();
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  // Generation 1 for the workers, with `sockets` (row w: worker w's, for every listener).
  ConfigUpdate first_update(std::shared_ptr<NewListenerSockets> sockets) const;
  // Where workers send their reports; lives until this object is destroyed, after the workers.
  core::Channel<ControlMessage>& inbox() { return inbox_; }
  WorkerRegistry& registry() { return registry_; }
  // Serve binary upgrades from run(): `server` must outlive it. Reloads keep its socket table
  // in step with the listeners.
  void serve_upgrades(UpgradeServer& server) { upgrade_ = &server; }

  // Runs the loop until SIGTERM or SIGINT arrives or a successor took the listening sockets;
  // `signals` (blocked) holds those, SIGHUP, SIGUSR2 and SIGCHLD.
  // On return the registry is closed: the workers keep their last snapshots while they drain.
  void run(const sigset_t& signals);

  // The running generation.
  const conf::Config& config() const { return *config_; }
  const std::string& config_text() const { return config_text_; }
  uint64_t generation() const { return generation_; }
  uint64_t reloads_ok() const { return reloads_ok_; }
  uint64_t reloads_failed() const { return reloads_failed_; }
  // Loads the config file again and, if it is valid and can apply, makes it the next
  // generation (on the loop, from SIGHUP or the admin endpoint). Logs the outcome, counts it,
  // and sends sd_notify RELOADING and READY around it.
  core::Task<ReloadResult> reload(const char* trigger);

  // Cluster `i` of the running config.
  const lb::ClusterState& cluster(std::size_t i) const { return current_[i]->state(); }
  ClusterControlStats cluster_control_stats(std::size_t i) const { return current_[i]->stats(); }

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

 private:
  core::Task<void> main(int signal_fd);
  core::Task<void> take_signals(int fd, core::CancelToken& handed_over);
  core::Task<void> warm_up();
  core::Task<ReloadResult> apply_reload();
  void on_messages(std::span<ControlMessage> batch);
  core::Task<void> drain_phase();
  // A new ControlCluster for owner->clusters[index], with the next id.
  ControlCluster& add_cluster(const std::shared_ptr<const conf::Config>& owner, std::size_t index);
  // Stops the clusters the running generation no longer has and frees them once stopped.
  void retire_clusters(const std::vector<ControlCluster*>& kept);
  core::Task<void> free_cluster(std::unique_ptr<ControlCluster> c);
  core::BufferPool* probe_buffers(const conf::Config& config);

  std::shared_ptr<const conf::Config> config_;
  std::string config_text_;
  uint64_t generation_ = 1;
  uint64_t reloads_ok_ = 0;
  uint64_t reloads_failed_ = 0;
  bool reloading_ = false;
  bool running_ = false;  // run()'s loop turns: clusters' checks run
  core::Reactor reactor_;
  core::Channel<ControlMessage> inbox_;
  WorkerRegistry registry_;
  uint32_t next_cluster_id_ = 1;
  std::map<uint32_t, std::unique_ptr<ControlCluster>> clusters_;  // by id
  std::vector<ControlCluster*> current_;                          // the running config's order
  std::unique_ptr<core::BufferPool> probe_buffers_;  // when some cluster has health checks
  core::TaskScope retiring_;                         // removed clusters' last steps
  std::unique_ptr<AdminServer> admin_;               // when [admin] is set
  core::TaskScope admin_scope_;  // the admin server's loop, across run() and wait_for_workers()
  std::size_t stopped_workers_ = 0;
  UpgradeServer* upgrade_ = nullptr;
};

}  // namespace ringress::app
