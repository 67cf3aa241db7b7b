#include "lb/health_checker.h"

#include <cerrno>
#include <random>

#include "core/event.h"
#include "core/io_op.h"
#include "core/log.h"
#include "lb/connection_pool.h"
#include "lb/health_probe.h"

namespace ringress::lb {

namespace {

// What a probe's connection may hold unread: more than the body a check reads.
constexpr uint32_t kProbeConnectionBuffer = 2 * conf::kHealthCheckBodyLimit;

uint64_t random_seed() {
  std::random_device device;
  return (uint64_t{device()} << 32) ^ device();
}

}  // namespace

struct HealthChecker::Target {
  HealthTarget target;
  std::size_t index = 0;  // in targets_
  bool healthy = true;
  uint32_t passes = 0;     // in a row
  uint32_t failures = 0;   // in a row
  core::CancelToken stop;  // ends this target's loop (removed, or the checker stops)
  // One host: the probe opens its connection the way requests do (TLS included). Shared with
  // the probe in flight, so set_targets may replace it meanwhile.
  std::shared_ptr<ConnectionPool> pool;
};

std::vector<HealthTarget> health_targets(std::span<const Host> hosts) {
  std::vector<HealthTarget> out;
  out.reserve(hosts.size());
  for (const Host& h : hosts) out.push_back({h.address, h.name, h.hostname});
  return out;
}

HealthChecker::HealthChecker(const conf::Cluster& cluster, core::BufferPool& buffers,
                             HealthChange on_change)
    : cluster_(cluster),
      check_(*cluster.health_check),
      buffers_(buffers),
      on_change_(std::move(on_change)),
      random_(random_seed()) {}

HealthChecker::~HealthChecker() = default;

void HealthChecker::set_targets(std::vector<HealthTarget> targets) {
  std::vector<std::shared_ptr<Target>> next;
  std::vector<bool> kept(targets_.size(), false);
  std::vector<bool> fresh(targets.size(), false);
  next.reserve(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    HealthTarget& wanted = targets[i];
    std::shared_ptr<Target> t;
    for (std::size_t j = 0; j < targets_.size() && !t; ++j) {
      if (!kept[j] && targets_[j]->target.address == wanted.address) {
        t = targets_[j];
        kept[j] = true;
      }
    }
    if (!t) {
      t = std::make_shared<Target>();
      fresh[i] = true;
    }
    if (fresh[i] || t->target.host_header != wanted.host_header || t->target.sni != wanted.sni) {
      Host host{wanted.address, 1, wanted.host_header, wanted.address.to_string(), wanted.sni};
      t->pool = std::make_shared<ConnectionPool>(cluster_, std::vector<Host>{std::move(host)},
                                                 buffers_, kProbeConnectionBuffer);
    }
    t->target = std::move(wanted);
    t->index = i;
    next.push_back(std::move(t));
  }
  for (std::size_t j = 0; j < targets_.size(); ++j) {
    if (!kept[j]) targets_[j]->stop.cancel();
  }
  targets_ = std::move(next);
  if (!running_) return;
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    if (fresh[i]) start(targets_[i]);
  }
}

core::Task<void> HealthChecker::run(core::CancelToken& stop) {
  running_ = true;
  for (const auto& t : targets_) start(t);
  core::Event stopped;
  core::CancelCallback on_stop(&stop, [&stopped] { stopped.set(); });
  co_await stopped.wait();
  running_ = false;
  for (const auto& t : targets_) t->stop.cancel();
  co_await loops_.join();
}

bool HealthChecker::healthy(std::size_t target) const { return targets_.at(target)->healthy; }

void HealthChecker::start(const std::shared_ptr<Target>& target) {
  loops_.spawn(check_loop(target));
}

core::Task<void> HealthChecker::check_loop(std::shared_ptr<Target> t) {
  co_await core::Yield{};  // never probe (or report) from inside set_targets or run's start
  while (!t->stop.cancelled()) {
    std::shared_ptr<ConnectionPool> pool = t->pool;
    std::string host = check_.host.empty() ? t->target.host_header : check_.host;
    ProbeResult r = co_await probe_host(check_, *pool, 0, host, t->stop);
    if (t->stop.cancelled()) break;
    record(*t, r.passed, r.why);
    int slept = co_await core::sleep_for(next_wait(*t), &t->stop);
    if (slept == -ECANCELED) break;
  }
}

void HealthChecker::record(Target& t, bool passed, const std::string& why) {
  ++stats_.checks;
  if (passed) {
    t.failures = 0;
    ++t.passes;
    if (t.healthy || t.passes < check_.healthy_threshold) return;
    t.healthy = true;
    ++stats_.became_healthy;
    RLOG_INFO("health check: cluster %s host %s (%s) is healthy: %s (%u passed checks in a row)",
              cluster_.name.c_str(), t.target.address.to_string().c_str(),
              t.target.host_header.c_str(), why.c_str(), t.passes);
  } else {
    ++stats_.failures;
    t.passes = 0;
    ++t.failures;
    if (!t.healthy || t.failures < check_.unhealthy_threshold) return;
    t.healthy = false;
    ++stats_.became_unhealthy;
    RLOG_WARN("health check: cluster %s host %s (%s) is unhealthy: %s (%u failed checks in a row)",
              cluster_.name.c_str(), t.target.address.to_string().c_str(),
              t.target.host_header.c_str(), why.c_str(), t.failures);
  }
  if (on_change_) on_change_(t.index, t.healthy, why);
}

core::Duration HealthChecker::next_wait(const Target& t) {
  const conf::Duration base = t.healthy ? check_.interval : check_.unhealthy_interval;
  const auto ms = static_cast<uint64_t>(base.count());
  const uint64_t jitter = ms * check_.interval_jitter_percent / 100;
  return conf::Duration(ms + random_.below(jitter + 1));
}

}  // namespace ringress::lb
