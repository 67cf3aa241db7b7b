#include "app/control_loop.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "app/admin_server.h"
#include "app/config_reload.h"
#include "app/sd_notify.h"
#include "app/upgrade_server.h"
#include "core/io_op.h"
#include "core/log.h"
#include "core/task_scope.h"

namespace ringress::app {

namespace {

using ull = unsigned long long;

// Receive buffers of the health checks' probes (all clusters): small responses, few at once.
constexpr uint32_t kProbeBufferSize = 4096;
constexpr uint32_t kProbeBuffers = 256;

bool has_health_checks(const conf::Config& config) {
  for (const conf::Cluster& c : config.clusters)
    if (c.health_check) return true;
  return false;
}

}  // namespace

ControlLoop::ControlLoop(std::shared_ptr<const conf::Config> config, std::string text)
    : config_(std::move(config)), config_text_(std::move(text)) {
  for (std::size_t i = 0; i < config_->clusters.size(); ++i)
    current_.push_back(&add_cluster(config_, i));
  if (config_->admin.enabled) {
    if (!probe_buffers_)
      probe_buffers_ =
          std::make_unique<core::BufferPool>(reactor_, kProbeBufferSize, kProbeBuffers);
    admin_ = std::make_unique<AdminServer>(*this, *probe_buffers_);
  }
  // Dns clusters resolve once now, so the workers start with their hosts.
  reactor_.run(warm_up());
}

core::BufferPool* ControlLoop::probe_buffers(const conf::Config& config) {
  if (!probe_buffers_ && has_health_checks(config))
    probe_buffers_ = std::make_unique<core::BufferPool>(reactor_, kProbeBufferSize, kProbeBuffers);
  return probe_buffers_.get();
}

ControlCluster& ControlLoop::add_cluster(const std::shared_ptr<const conf::Config>& owner,
                                         std::size_t index) {
  const uint32_t id = next_cluster_id_++;
  auto c = std::make_unique<ControlCluster>(id, owner, index, probe_buffers(*owner),
                                            [this](const ClusterSpec& spec) {
                                              registry_.broadcast(HostSetUpdate{spec.id, spec.set});
                                            });
  ControlCluster& ref = *c;
  clusters_.emplace(id, std::move(c));
  return ref;
}

core::Task<void> ControlLoop::warm_up() {
  for (ControlCluster* c : current_) co_await c->warm_up();
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

ConfigUpdate ControlLoop::first_update(std::shared_ptr<NewListenerSockets> sockets) const {
  ConfigUpdate u;
  u.generation = generation_;
  u.config = config_;
  for (ControlCluster* c : current_) u.clusters.push_back(c->spec());
  u.sockets = std::move(sockets);
  return u;
}

core::Task<ReloadResult> ControlLoop::reload(const char* trigger) {
  if (reloading_) {
    ReloadResult busy;
    busy.generation = generation_;
    busy.error = "a reload is already in progress";
    busy.status = 409;
    co_return busy;
  }
  reloading_ = true;
  sd_notify::reloading();
  RLOG_INFO("%s: reloading %s", trigger, config_->path.c_str());
  ReloadResult r = co_await apply_reload();
  if (r.ok) {
    ++reloads_ok_;
    RLOG_INFO("reload: serving config generation %llu (%s)", static_cast<ull>(r.generation),
              r.summary.c_str());
  } else {
    ++reloads_failed_;
    RLOG_ERROR("reload refused: %s; config generation %llu keeps serving", r.error.c_str(),
               static_cast<ull>(r.generation));
  }
  sd_notify::ready();
  reloading_ = false;
  co_return r;
}

core::Task<ReloadResult> ControlLoop::apply_reload() {
  ReloadResult r;
  r.generation = generation_;
  if (!running_) {
    r.error = "draining: the configuration no longer changes";
    r.status = 503;
    co_return r;
  }
  std::string text;
  std::shared_ptr<const conf::Config> next;
  try {
    text = conf::read_config_file(config_->path);
    r.status = 400;
    next = std::make_shared<const conf::Config>(conf::parse_config(text, config_->path));
  } catch (const std::exception& e) {
    if (r.status != 400) r.status = 500;
    r.error = e.what();
    co_return r;
  }
  r.error = restart_only_change(*config_, *next);
  if (r.error.empty()) r.error = unwritable_access_log(*next);
  if (!r.error.empty()) co_return r;

  // New listeners are bound before anything changes: a port that is taken refuses the reload.
  const unsigned workers = static_cast<unsigned>(registry_.size());
  ListenerPlan plan = plan_listeners(*config_, *next);
  auto sockets = std::make_shared<NewListenerSockets>();
  sockets->per_worker.resize(workers);
  std::vector<std::vector<core::Socket>> bound(plan.bind.size());
  for (std::size_t b = 0; b < plan.bind.size(); ++b) {
    r.error = bind_listener(next->listeners[plan.bind[b]], workers, bound[b]);
    if (!r.error.empty()) {
      r.status = 500;
      co_return r;
    }
  }

  // Clusters: an unchanged definition (name and fingerprint) keeps its ControlCluster.
  std::vector<ControlCluster*> clusters;
  std::vector<ControlCluster*> added;
  for (std::size_t i = 0; i < next->clusters.size(); ++i) {
    const conf::Cluster& c = next->clusters[i];
    ControlCluster* kept = nullptr;
    for (ControlCluster* old : current_)
      if (old->config().name == c.name && old->config().fingerprint == c.fingerprint) kept = old;
    if (!kept) {
      kept = &add_cluster(next, i);
      added.push_back(kept);
    }
    clusters.push_back(kept);
  }
  for (ControlCluster* c : added) co_await c->warm_up();
  if (!running_) {  // a drain began while dns answered: nothing may start now
    for (ControlCluster* c : added) clusters_.erase(c->id());
    r.error = "draining: the configuration no longer changes";
    r.status = 503;
    co_return r;
  }

  // From here on the reload applies. The upgrade server's table follows the listeners first,
  // so a binary upgrade never hands over a socket a worker closes.
  if (upgrade_) {
    for (const std::string& name : plan.close) upgrade_->remove_sockets(name);
    for (std::size_t b = 0; b < plan.bind.size(); ++b) {
      const conf::Listener& l = next->listeners[plan.bind[b]];
      for (unsigned w = 0; w < workers; ++w)
        upgrade_->add_socket(w, l.name, l.address.to_string(), bound[b][w].fd());
    }
  }
  for (std::size_t b = 0; b < plan.bind.size(); ++b)
    for (unsigned w = 0; w < workers; ++w)
      sockets->per_worker[w].emplace_back(next->listeners[plan.bind[b]].name,
                                          std::move(bound[b][w]));
  if (next->runtime.log_level != config_->runtime.log_level)
    core::set_log_level(core_log_level(next->runtime.log_level));
  const std::size_t clusters_kept = clusters.size() - added.size();
  const std::size_t clusters_removed = current_.size() - clusters_kept;
  ++generation_;
  config_ = next;
  config_text_ = std::move(text);
  current_ = clusters;
  ConfigUpdate update;
  update.generation = generation_;
  update.config = config_;
  for (ControlCluster* c : current_) update.clusters.push_back(c->spec());
  update.sockets = sockets;
  for (unsigned w = 0; w < workers; ++w) registry_.send(w, update);
  // Checks and discovery of new clusters start after the update: their host sets reach each
  // worker after the cluster itself.
  for (ControlCluster* c : added) c->start();
  retire_clusters(current_);

  r.ok = true;
  r.status = 200;
  r.generation = generation_;
  r.summary = "listeners: " + std::to_string(plan.kept) + " kept, " +
              std::to_string(plan.bind.size()) + " bound, " + std::to_string(plan.close.size()) +
              " closed; clusters: " + std::to_string(clusters_kept) + " kept, " +
              std::to_string(added.size()) + " new, " + std::to_string(clusters_removed) +
              " removed";
  co_return r;
}

void ControlLoop::retire_clusters(const std::vector<ControlCluster*>& kept) {
  for (auto it = clusters_.begin(); it != clusters_.end();) {
    bool used = false;
    for (ControlCluster* c : kept) used |= c == it->second.get();
    if (used) {
      ++it;
      continue;
    }
    it->second->stop();
    retiring_.spawn(free_cluster(std::move(it->second)));
    it = clusters_.erase(it);
  }
}

core::Task<void> ControlLoop::free_cluster(std::unique_ptr<ControlCluster> c) {
  co_await c->join();
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
      core::deadline_after(config_->runtime.drain_timeout + std::chrono::seconds(5));
  while (stopped_workers_ < registry_.size() && core::Clock::now() < until)
    co_await core::sleep_for(std::chrono::milliseconds(10));
  if (admin_) admin_->stop();
  background.cancel();
  co_await background.join();
  co_await admin_scope_.join();
}

void ControlLoop::run(const sigset_t& signals) {
  int fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
  reactor_.run(main(fd));
  ::close(fd);
  registry_.close();
}

// Until SIGTERM or SIGINT, or until `handed_over` is cancelled (a binary upgrade completed).
core::Task<void> ControlLoop::take_signals(int fd, core::CancelToken& handed_over) {
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
      ReloadResult r = co_await reload("SIGHUP");
      (void)r;
      continue;
    }
    if (info.ssi_signo == SIGUSR2 && upgrade_) upgrade_->start_successor();
    if (info.ssi_signo == SIGCHLD && upgrade_) upgrade_->reap_children();
    if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) co_return;
  }
}

core::Task<void> ControlLoop::main(int signal_fd) {
  core::TaskScope background;
  background.spawn(inbox_.receive([this](std::span<ControlMessage> batch) { on_messages(batch); },
                                  background.token()));
  for (auto& [id, c] : clusters_) c->start();
  running_ = true;
  if (admin_ && admin_scope_.size() == 0) admin_scope_.spawn(admin_->run());
  core::CancelToken handed_over;
  if (upgrade_)
    background.spawn(upgrade_->run(background.token(), [&handed_over] { handed_over.cancel(); }));
  co_await take_signals(signal_fd, handed_over);
  running_ = false;
  for (auto& [id, c] : clusters_) c->stop();
  for (auto& [id, c] : clusters_) co_await c->join();
  co_await retiring_.join();
  background.cancel();
  co_await background.join();
}

void ControlLoop::log_totals() const {
  for (const ControlCluster* c : current_) c->log_totals();
}

void ControlLoop::on_messages(std::span<ControlMessage> batch) {
  const core::TimePoint now = core::Clock::now();
  for (ControlMessage& m : batch) {
    if (auto* outcomes = std::get_if<OutcomeBatch>(&m)) {
      auto it = clusters_.find(outcomes->cluster_id);
      if (it == clusters_.end()) continue;  // a cluster a reload removed or replaced
      it->second->state().record(
          std::span<const lb::OutcomeReport>(outcomes->reports.data(), outcomes->count), now);
    } else if (auto* stats = std::get_if<StatsReply>(&m)) {
      if (admin_) admin_->on_stats(*stats);
    } else if (std::holds_alternative<WorkerStopped>(m)) {
      ++stopped_workers_;
    }
  }
}

}  // namespace ringress::app
