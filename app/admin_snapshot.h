// WorkerSnapshot: a value copy of one worker's counters and gauges, taken on the worker's own
// thread when the control loop asks for it (StatsRequest in app/messages.h) and sent back
// through the control channel, so the admin endpoint reads live stats without a lock on the
// request path and without touching another thread's memory. The admin server sums the
// snapshots of all workers (merge) and renders them (app/admin_stats.h).
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "app/stats.h"
#include "core/buffer_pool.h"
#include "core/latency_histogram.h"
#include "http/http_stats.h"
#include "lb/cluster_refs.h"
#include "lb/connection_pool.h"
#include "lb/upstream_cluster.h"

namespace ringress::app {

// One host of a cluster as one worker sees it.
struct HostLoad {
  std::string address;     // "ip:port"
  uint32_t rq_active = 0;  // tries in flight to it
  uint32_t cx_active = 0;  // pooled connections open to it, in use or idle
  uint32_t cx_idle = 0;    // of those, idle ones
};

struct ClusterLoad {
  uint32_t rq_active = 0;  // requests in flight on the cluster (circuit breaker count)
  uint32_t cx_active = 0;  // pooled upstream connections open, in use or idle
  lb::PoolStats pool;
  lb::ClusterCounters counters;
  std::vector<HostLoad> hosts;  // the worker's current host set, in its order
};

struct WorkerSnapshot {
  unsigned worker = 0;
  TcpStats tcp;
  http::HttpStats http;
  std::vector<uint32_t> listener_cx_active;    // per listener: open sessions
  std::vector<uint64_t> listener_cx_overflow;  // per listener: refused over max_connections
  std::vector<ClusterLoad> clusters;           // per cluster, config order
  core::BufferPoolStats buffers;
  // Latency histograms (core/latency_histogram.h).
  core::LatencyHistogram downstream_rq_time;
  core::LatencyHistogram upstream_rq_time;
  core::LatencyHistogram upstream_cx_connect_time;

  // Sums `o` into this one (vectors element by element; hosts by address).
  void merge(const WorkerSnapshot& o);
};

// The snapshot of a worker's state (its thread only).
WorkerSnapshot snapshot_worker(unsigned worker, const TcpStats& tcp, const http::HttpStats& http,
                               std::span<const uint32_t> listener_open,
                               std::span<const uint64_t> listener_overflow,
                               const core::BufferPool& buffers, const lb::ClusterRefs& clusters);

}  // namespace ringress::app
