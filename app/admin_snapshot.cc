#include "app/admin_snapshot.h"

#include <algorithm>

namespace ringress::app {

namespace {

void add_pool(lb::PoolStats& t, const lb::PoolStats& s) {
  t.connections_opened += s.connections_opened;
  t.connect_failures += s.connect_failures;
  t.connect_timeouts += s.connect_timeouts;
  t.reused += s.reused;
  t.closed_by_upstream += s.closed_by_upstream;
  t.idle_timeouts += s.idle_timeouts;
  t.discarded += s.discarded;
  t.tls_handshakes += s.tls_handshakes;
  t.tls_resumed += s.tls_resumed;
  t.tls_failures += s.tls_failures;
}

void add_buffers(core::BufferPoolStats& t, const core::BufferPoolStats& s) {
  t.capacity += s.capacity;
  t.in_use += s.in_use;
  t.in_use_high += s.in_use_high;
  t.in_ring += s.in_ring;
  t.ring_target += s.ring_target;
  t.resident += s.resident;
  t.resident_high += s.resident_high;
  t.given_back += s.given_back;
  t.exhausted += s.exhausted;
}

template <typename T>
void add_elements(std::vector<T>& t, const std::vector<T>& s) {
  if (t.size() < s.size()) t.resize(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) t[i] += s[i];
}

void add_cluster(ClusterLoad& t, const ClusterLoad& s) {
  t.rq_active += s.rq_active;
  t.cx_active += s.cx_active;
  add_pool(t.pool, s.pool);
  t.counters.add(s.counters);
  for (const HostLoad& h : s.hosts) {
    auto it = std::find_if(t.hosts.begin(), t.hosts.end(),
                           [&](const HostLoad& x) { return x.address == h.address; });
    if (it == t.hosts.end()) {
      t.hosts.push_back(h);
      continue;
    }
    it->rq_active += h.rq_active;
    it->cx_active += h.cx_active;
    it->cx_idle += h.cx_idle;
  }
}

}  // namespace

void WorkerSnapshot::merge(const WorkerSnapshot& o) {
  tcp.add(o.tcp);
  http.add(o.http);
  add_elements(listener_cx_active, o.listener_cx_active);
  add_elements(listener_cx_overflow, o.listener_cx_overflow);
  if (clusters.size() < o.clusters.size()) clusters.resize(o.clusters.size());
  for (std::size_t i = 0; i < o.clusters.size(); ++i) add_cluster(clusters[i], o.clusters[i]);
  add_buffers(buffers, o.buffers);
  downstream_rq_time.add(o.downstream_rq_time);
  upstream_rq_time.add(o.upstream_rq_time);
  upstream_cx_connect_time.add(o.upstream_cx_connect_time);
}

WorkerSnapshot snapshot_worker(unsigned worker, const TcpStats& tcp, const http::HttpStats& http,
                               std::span<const uint32_t> listener_open,
                               std::span<const uint64_t> listener_overflow,
                               const core::BufferPool& buffers, const lb::ClusterRefs& clusters) {
  WorkerSnapshot s;
  s.worker = worker;
  s.tcp = tcp;
  s.http = http;
  s.downstream_rq_time = http.request_time;
  s.upstream_rq_time = http.upstream_time;
  s.upstream_cx_connect_time = http.upstream_connect_time;
  s.listener_cx_active.assign(listener_open.begin(), listener_open.end());
  s.listener_cx_overflow.assign(listener_overflow.begin(), listener_overflow.end());
  s.buffers = buffers.stats();
  s.clusters.reserve(clusters.size());
  for (lb::UpstreamCluster& c : clusters) {
    ClusterLoad& load = s.clusters.emplace_back();
    load.rq_active = c.active_requests();
    load.cx_active = c.pool.open_connections();
    load.pool = c.pool.stats();
    load.counters = c.counters();
    lb::SnapshotLease snapshot(c);
    load.hosts.reserve(snapshot->size());
    for (std::size_t h = 0; h < snapshot->size(); ++h) {
      HostLoad& host = load.hosts.emplace_back();
      host.address = snapshot->host(h).address_text;
      host.rq_active = h < snapshot->active.size() ? snapshot->active[h] : 0;
      host.cx_active = c.pool.open_count(snapshot->slots[h]);
      host.cx_idle = static_cast<uint32_t>(c.pool.idle_count(snapshot->slots[h]));
    }
  }
  return s;
}

}  // namespace ringress::app
