#include "lb/upstream_cluster.h"

#include <algorithm>

#include "lb/policy_factory.h"

namespace ringress::lb {

namespace {

constexpr uint32_t kNoIndex = UINT32_MAX;

std::vector<Host> hosts_of_set(const HostSet& set) {
  std::vector<Host> hosts;
  hosts.reserve(set.hosts.size());
  for (const HostEntry& e : set.hosts) hosts.push_back(e.host);
  return hosts;
}

}  // namespace

UpstreamCluster::UpstreamCluster(const conf::Cluster& c, HostSetPtr initial,
                                 core::BufferPool& buffers, uint32_t connection_buffer,
                                 uint64_t seed)
    : config(c),
      pool(c, hosts_of_set(*initial), buffers, connection_buffer),
      seed_(seed),
      random_(seed ^ 0x5bd1e995u),
      max_connections_(c.circuit_breakers.max_connections),
      max_pending_(c.circuit_breakers.max_pending_requests),
      max_requests_(c.circuit_breakers.max_requests),
      max_retries_(c.circuit_breakers.max_retries) {
  if (reports_outcomes()) reports_.reserve(kReportCapacity);
  update(std::move(initial));
}

UpstreamCluster::~UpstreamCluster() = default;

std::unique_ptr<UpstreamCluster::Snapshot> UpstreamCluster::make_snapshot(HostSetPtr set) {
  auto s = std::make_unique<Snapshot>();
  s->set = std::move(set);
  s->slots = pool.assign(s->set->hosts);
  if (slot_active_.size() < pool.host_count()) slot_active_.resize(pool.host_count(), 0);
  s->active.resize(s->set->hosts.size());
  for (std::size_t i = 0; i < s->slots.size(); ++i) s->active[i] = slot_active_[s->slots[i]];
  s->lb = make_load_balancer(config.lb, s->set->view, s->set->tables, s->active, seed_++);
  return s;
}

void UpstreamCluster::update(HostSetPtr set) {
  std::unique_ptr<Snapshot> next = make_snapshot(std::move(set));
  current_index_.assign(pool.host_count(), kNoIndex);
  for (std::size_t i = 0; i < next->slots.size(); ++i) current_index_[next->slots[i]] = i;
  if (current_) retire(current_.release());
  current_ = std::move(next);
  ++counters_.snapshots;
}

void UpstreamCluster::retire(Snapshot* s) {
  if (s->users == 0) {
    pool.unassign(s->slots);
    delete s;
    return;
  }
  retired_.emplace_back(s);
}

UpstreamCluster::Snapshot& UpstreamCluster::acquire() {
  ++current_->users;
  return *current_;
}

void UpstreamCluster::release(Snapshot& s) {
  if (--s.users > 0 || &s == current_.get()) return;
  auto it =
      std::find_if(retired_.begin(), retired_.end(), [&](const auto& p) { return p.get() == &s; });
  if (it == retired_.end()) return;
  pool.unassign(s.slots);
  retired_.erase(it);
}

std::optional<std::size_t> UpstreamCluster::pick(Snapshot& s, const PickContext& context) {
  std::optional<std::size_t> h = s.lb->pick(context);
  if (!h) {
    ++counters_.no_healthy_upstream;
  } else if (s.set->panic) {
    ++counters_.panic_picks;
  }
  return h;
}

void UpstreamCluster::try_started(const Snapshot& s, std::size_t h) {
  const uint32_t slot = s.slots[h];
  ++slot_active_[slot];
  if (current_index_[slot] != kNoIndex) ++current_->active[current_index_[slot]];
}

void UpstreamCluster::try_ended(const Snapshot& s, std::size_t h) {
  const uint32_t slot = s.slots[h];
  --slot_active_[slot];
  if (current_index_[slot] != kNoIndex) {
    uint32_t& a = current_->active[current_index_[slot]];
    if (a > 0) --a;
  }
}

void UpstreamCluster::report(const Snapshot& s, std::size_t h, HostOutcome outcome) {
  if (!reports_outcomes()) return;
  if (reports_.size() >= kReportCapacity) {
    ++counters_.reports_dropped;
    return;
  }
  reports_.push_back({h, outcome, s.set->version});
  if (reports_.size() == kReportBatch && listener_) listener_->on_batch_ready();
}

}  // namespace ringress::lb
