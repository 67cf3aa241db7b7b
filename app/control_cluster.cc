#include "app/control_cluster.h"

#include <algorithm>

#include "core/io_op.h"
#include "core/log.h"

namespace ringress::app {

namespace {

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

}  // namespace

ControlCluster::ControlCluster(uint32_t id, std::shared_ptr<const conf::Config> owner,
                               std::size_t index, core::BufferPool* probes,
                               std::function<void(const ClusterSpec&)> publish)
    : id_(id), owner_(std::move(owner)), index_(index) {
  const conf::Cluster& c = config();
  state_ = std::make_unique<lb::ClusterState>(
      c, [this, publish = std::move(publish)](const lb::HostSetPtr& set) {
        publish(ClusterSpec{id_, owner_, index_, set});
      });
  if (c.health_check && probes) {
    lb::ClusterState* state = state_.get();
    checker_ = std::make_unique<lb::HealthChecker>(
        c, *probes, [state](std::size_t target, bool healthy, std::string_view why) {
          state->set_healthy(target, healthy, why);
        });
    checker_->set_targets(targets_of(*state_->current()));
  }
  auto changed = [this](std::vector<lb::DiscoveredEndpoint> endpoints) { on_endpoints(endpoints); };
  if (c.discovery.kind == conf::DiscoveryKind::dns)
    dns_ = std::make_unique<lb::DnsDiscovery>(c, changed);
  else if (c.discovery.kind == conf::DiscoveryKind::file)
    file_ = std::make_unique<lb::FileDiscovery>(c, changed);
}

ControlCluster::~ControlCluster() = default;

core::Task<void> ControlCluster::warm_up() {
  if (dns_) co_await dns_->warm_up();
}

void ControlCluster::start() {
  if (state_->outlier_detector()) tasks_.spawn(tick_ejections(*state_, tasks_.token()));
  if (checker_) tasks_.spawn(checker_->run(tasks_.token()));
  if (dns_) tasks_.spawn(dns_->run(tasks_.token()));
  if (file_) tasks_.spawn(file_->run(tasks_.token()));
}

void ControlCluster::on_endpoints(const std::vector<lb::DiscoveredEndpoint>& endpoints) {
  state_->set_endpoints(endpoints);
  if (checker_) checker_->set_targets(targets_of(*state_->current()));
}

ClusterControlStats ControlCluster::stats() const {
  ClusterControlStats s;
  s.state = state_->stats();
  if (checker_) s.health = checker_->stats();
  if (const lb::OutlierDetector* o = state_->outlier_detector()) {
    s.outlier = o->stats();
    s.ejections_active = o->ejected_count();
  }
  for (const lb::HostEntry& e : state_->current()->hosts) {
    ++s.membership_total;
    if (e.healthy && !e.ejected) ++s.membership_healthy;
  }
  return s;
}

void ControlCluster::log_totals() const {
  using ull = unsigned long long;
  const char* name = config().name.c_str();
  if (const lb::OutlierDetector* od = state_->outlier_detector())
    RLOG_INFO("cluster %s: outlier detection: %s; %llu stale outcome reports dropped", name,
              lb::describe(od->stats()).c_str(), (ull)state_->stats().stale_outcomes);
  if (checker_) {
    const lb::HealthCheckStats& h = checker_->stats();
    RLOG_INFO(
        "cluster %s: health checks: %llu probes, %llu failed probes, %llu turned unhealthy, "
        "%llu turned healthy",
        name, (ull)h.checks, (ull)h.failures, (ull)h.became_unhealthy, (ull)h.became_healthy);
  }
  if (dns_) {
    const lb::DnsDiscoveryStats& d = dns_->stats();
    RLOG_INFO("cluster %s: dns discovery: %llu lookups, %llu failed lookups, %llu host changes",
              name, (ull)d.lookups, (ull)d.failures, (ull)d.changes);
  }
  if (file_) {
    const lb::FileDiscoveryStats& f = file_->stats();
    RLOG_INFO("cluster %s: file discovery: %llu reloads, %llu bad files, %llu host changes", name,
              (ull)f.reloads, (ull)f.failures, (ull)f.changes);
  }
}

}  // namespace ringress::app
