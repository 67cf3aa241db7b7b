#include "app/control_loop.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "app/admin_server.h"
#include "app/admin_stats.h"
#include "app/sd_notify.h"
#include "app/upgrade_server.h"
#include "core/io_op.h"
#include "core/log.h"
#include "core/task_scope.h"

namespace ringress::app {

namespace {

// Receive buffers of the health checks' probes (all clusters): small responses, few at once.
constexpr uint32_t kProbeBufferSize = 4096;
constexpr uint32_t kProbeBuffers = 256;

// The health checker's targets for the hosts of `set` (same indices).
std::vector<lb::HealthTarget> targets_of(const lb::HostSet& set) {
  std::vector<lb::Host> hosts;
  hosts.reserve(set.hosts.size());
  for (const lb::HostEntry& e : set.hosts) hosts.push_back(e.host);
  return lb::health_targets(hosts);
}

// How often at most an outlier detector's ejections are checked for expiry.
constexpr core::Duration kTickInterval = std::chrono::milliseconds(100);

core::Task<void> tick_ejections(lb::ClusterState& cluster, core::CancelToken& stop) {
  for (;;) {
    core::TimePoint at = core::Clock::now() + kTickInterval;
    if (auto next = cluster.outlier_detector()->next_deadline()) at = std::min(at, *next);
    int rc = co_await core::SleepUntil(at, &stop);
    if (rc == -ECANCELED) co_return;
    cluster.tick(core::Clock::now());
  }
}

// Until SIGTERM or SIGINT, or until `handed_over` is cancelled (a binary upgrade completed).
core::Task<void> take_signals(int fd, UpgradeServer* upgrade, core::CancelToken& handed_over) {
  for (;;) {
    signalfd_siginfo info{};
    int rc = co_await core::io_op(
        [fd, &info](io_uring_sqe* s) { io_uring_prep_read(s, fd, &info, sizeof(info), 0); },
        core::kNoDeadline, &handed_over);
    if (rc == -ECANCELED) co_return;
    if (rc == -EINTR || rc == -EAGAIN) continue;
    if (rc < 0) {
      RLOG_ERROR("reading signals failed: %s; stopping", std::strerror(-rc));
      co_return;
    }
    if (info.ssi_signo == SIGHUP) {
      sd_notify::reloading();
      RLOG_WARN("SIGHUP: configuration reload is not available yet; restart to apply changes");
      sd_notify::ready();
      continue;
    }
    if (info.ssi_signo == SIGUSR2 && upgrade) upgrade->start_successor();
    if (info.ssi_signo == SIGCHLD && upgrade) upgrade->reap_children();
    if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) co_return;
  }
}

}  // namespace

ControlLoop::ControlLoop(const conf::Config& config) : config_(config) {
  clusters_.reserve(config.clusters.size());
  for (std::size_t i = 0; i < config.clusters.size(); ++i) {
    clusters_.push_back(std::make_unique<lb::ClusterState>(
        config.clusters[i], [this, i](const lb::HostSetPtr& set) {
          registry_.broadcast(HostSetUpdate{i, set});
        }));
  }
  if (config.admin.enabled) {
    probe_buffers_ = std::make_unique<core::BufferPool>(reactor_, kProbeBufferSize, kProbeBuffers);
    admin_ = std::make_unique<AdminServer>(config, *this, *probe_buffers_);
  }
  checkers_.resize(config.clusters.size());
  for (std::size_t i = 0; i < config.clusters.size(); ++i) {
    if (!config.clusters[i].health_check) continue;
    if (!probe_buffers_)
      probe_buffers_ =
          std::make_unique<core::BufferPool>(reactor_, kProbeBufferSize, kProbeBuffers);
    lb::ClusterState* state = clusters_[i].get();
    checkers_[i] = std::make_unique<lb::HealthChecker>(
        config.clusters[i], *probe_buffers_,
        [state](std::size_t target, bool healthy, std::string_view why) {
          state->set_healthy(target, healthy, why);
        });
    checkers_[i]->set_targets(targets_of(*state->current()));
  }
  dns_.resize(config.clusters.size());
  files_.resize(config.clusters.size());
  for (std::size_t i = 0; i < config.clusters.size(); ++i) {
    auto changed = [this, i](std::vector<lb::DiscoveredEndpoint> endpoints) {
      on_endpoints(i, endpoints);
    };
    if (config.clusters[i].discovery.kind == conf::DiscoveryKind::dns)
      dns_[i] = std::make_unique<lb::DnsDiscovery>(config.clusters[i], changed);
    else if (config.clusters[i].discovery.kind == conf::DiscoveryKind::file)
      files_[i] = std::make_unique<lb::FileDiscovery>(config.clusters[i], changed);
  }
  // Dns clusters resolve once now, so the workers start with their hosts.
  reactor_.run(warm_up());
}

core::Task<void> ControlLoop::warm_up() {
  for (auto& d : dns_)
    if (d) co_await d->warm_up();
}

void ControlLoop::on_endpoints(std::size_t cluster,
                               const std::vector<lb::DiscoveredEndpoint>& endpoints) {
  lb::ClusterState& state = *clusters_[cluster];
  state.set_endpoints(endpoints);
  if (checkers_[cluster]) checkers_[cluster]->set_targets(targets_of(*state.current()));
}

ControlLoop::~ControlLoop() {
  if (admin_ && admin_scope_.size() > 0) {
    admin_->stop();
    reactor_.run(
        [](core::TaskScope& scope) -> core::Task<void> { co_await scope.join(); }(admin_scope_));
  }
}

const std::string& ControlLoop::admin_error() const {
  static const std::string kNone;
  return admin_ ? admin_->error() : kNone;
}

void ControlLoop::request_drain() { ::kill(::getpid(), SIGTERM); }

ClusterControlStats ControlLoop::cluster_control_stats(std::size_t i) const {
  ClusterControlStats s;
  lb::ClusterState& state = *clusters_[i];
  s.state = state.stats();
  if (checkers_[i]) s.health = checkers_[i]->stats();
  if (const lb::OutlierDetector* o = state.outlier_detector()) {
    s.outlier = o->stats();
    s.ejections_active = o->ejected_count();
  }
  for (const lb::HostEntry& e : state.current()->hosts) {
    ++s.membership_total;
    if (e.healthy && !e.ejected) ++s.membership_healthy;
  }
  return s;
}

void ControlLoop::wait_for_workers() {
  if (admin_) admin_->set_draining();
  reactor_.run(drain_phase());
}

core::Task<void> ControlLoop::drain_phase() {
  core::TaskScope background;
  background.spawn(inbox_.receive([this](std::span<ControlMessage> batch) { on_messages(batch); },
                                  background.token()));
  const core::TimePoint until =
      core::deadline_after(config_.runtime.drain_timeout + std::chrono::seconds(5));
  while (stopped_workers_ < registry_.size() && core::Clock::now() < until)
    co_await core::sleep_for(std::chrono::milliseconds(10));
  if (admin_) admin_->stop();
  background.cancel();
  co_await background.join();
  co_await admin_scope_.join();
}

std::vector<lb::HostSetPtr> ControlLoop::initial_host_sets() const {
  std::vector<lb::HostSetPtr> sets;
  sets.reserve(clusters_.size());
  for (const auto& c : clusters_) sets.push_back(c->current());
  return sets;
}

void ControlLoop::run(const sigset_t& signals) {
  int fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
  reactor_.run(main(fd));
  ::close(fd);
  registry_.close();
}

core::Task<void> ControlLoop::main(int signal_fd) {
  core::TaskScope background;
  background.spawn(inbox_.receive([this](std::span<ControlMessage> batch) { on_messages(batch); },
                                  background.token()));
  for (auto& c : clusters_)
    if (c->outlier_detector()) background.spawn(tick_ejections(*c, background.token()));
  for (auto& checker : checkers_)
    if (checker) background.spawn(checker->run(background.token()));
  for (auto& d : dns_)
    if (d) background.spawn(d->run(background.token()));
  for (auto& f : files_)
    if (f) background.spawn(f->run(background.token()));
  if (admin_ && admin_scope_.size() == 0) admin_scope_.spawn(admin_->run());
  core::CancelToken handed_over;
  if (upgrade_)
    background.spawn(upgrade_->run(background.token(), [&handed_over] { handed_over.cancel(); }));
  co_await take_signals(signal_fd, upgrade_, handed_over);
  background.cancel();
  co_await background.join();
}

void ControlLoop::log_totals() const {
  using ull = unsigned long long;
  for (std::size_t i = 0; i < clusters_.size(); ++i) {
    const char* name = config_.clusters[i].name.c_str();
    const lb::ClusterState& state = *clusters_[i];
    if (const lb::OutlierDetector* od = state.outlier_detector())
      RLOG_INFO("cluster %s: outlier detection: %s; %llu stale outcome reports dropped", name,
                lb::describe(od->stats()).c_str(), (ull)state.stats().stale_outcomes);
    if (checkers_[i]) {
      const lb::HealthCheckStats& h = checkers_[i]->stats();
      RLOG_INFO(
          "cluster %s: health checks: %llu probes, %llu failed probes, %llu turned unhealthy, "
          "%llu turned healthy",
          name, (ull)h.checks, (ull)h.failures, (ull)h.became_unhealthy, (ull)h.became_healthy);
    }
    if (dns_[i]) {
      const lb::DnsDiscoveryStats& d = dns_[i]->stats();
      RLOG_INFO("cluster %s: dns discovery: %llu lookups, %llu failed lookups, %llu host changes",
                name, (ull)d.lookups, (ull)d.failures, (ull)d.changes);
    }
    if (files_[i]) {
      const lb::FileDiscoveryStats& f = files_[i]->stats();
      RLOG_INFO("cluster %s: file discovery: %llu reloads, %llu bad files, %llu host changes", name,
                (ull)f.reloads, (ull)f.failures, (ull)f.changes);
    }
  }
}

void ControlLoop::on_messages(std::span<ControlMessage> batch) {
  const core::TimePoint now = core::Clock::now();
  for (ControlMessage& m : batch) {
    if (auto* outcomes = std::get_if<OutcomeBatch>(&m)) {
      if (outcomes->cluster >= clusters_.size()) continue;
      clusters_[outcomes->cluster]->record(
          std::span<const lb::OutcomeReport>(outcomes->reports.data(), outcomes->count), now);
    } else if (auto* stats = std::get_if<StatsReply>(&m)) {
      if (admin_) admin_->on_stats(*stats);
    } else if (std::holds_alternative<WorkerStopped>(m)) {
      ++stopped_workers_;
    }
  }
}

}  // namespace ringress::app
