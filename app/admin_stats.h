// The admin endpoint's /stats: the workers' merged snapshot (app/admin_snapshot.h) plus what the
// control loop holds (health checks, outlier detection, host sets), as a list of named values
// with Envoy-like names, rendered as Prometheus text exposition 0.0.4 or as JSON.
//
// Names: a stat is `name` (process-wide) or `<scope>.<scope_name>.<name>` with scope "cluster"
// or "listener" ("cluster.web.upstream_cx_active"); JSON keeps that dotted form. Prometheus gets
// `ringress_[<scope>_]<name>` with dots turned into underscores and the scope's name as a label:
// `ringress_cluster_upstream_cx_active{cluster="web"}`. docs/operations.md lists every stat.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/admin_snapshot.h"
#include "conf/config.h"
#include "core/latency_histogram.h"
#include "lb/cluster_state.h"
#include "lb/health_checker.h"
#include "lb/outlier_detector.h"

namespace ringress::app {

// What the control loop knows about one cluster.
struct ClusterControlStats {
  lb::ClusterStateStats state;
  std::optional<lb::HealthCheckStats> health;  // when the cluster has health checks
  std::optional<lb::OutlierStats> outlier;     // when it has outlier detection
  uint64_t ejections_active = 0;
  uint64_t membership_total = 0;    // hosts in the current set
  uint64_t membership_healthy = 0;  // of those, healthy and not ejected
};

struct StatsInput {
  const conf::Config* config = nullptr;
  const WorkerSnapshot* workers = nullptr;    // all workers, merged
  std::vector<ClusterControlStats> clusters;  // config order
  double uptime_seconds = 0;
  unsigned worker_count = 0;
  bool draining = false;
  uint64_t log_dropped_lines = 0;
  uint64_t config_generation = 1;
  uint64_t reloads_ok = 0;      // reloads applied
  uint64_t reloads_failed = 0;  // reloads refused
};

enum class StatType { counter, gauge };

struct Stat {
  std::string name;        // "upstream_cx_active"
  std::string scope;       // "", "cluster" or "listener"
  std::string scope_name;  // the cluster's or listener's name
  StatType type = StatType::counter;
  uint64_t value = 0;
  std::string dotted() const;  // "cluster.web.upstream_cx_active"
};

struct HistogramStat {
  std::string name;  // "downstream_rq_time"
  const core::LatencyHistogram* histogram = nullptr;
};

std::vector<Stat> collect_stats(const StatsInput& in);
std::vector<HistogramStat> collect_histograms(const StatsInput& in);

// text/plain; version=0.0.4: one "# TYPE" line per metric family, then its samples; histograms
// in seconds with cumulative `le` buckets, _sum and _count.
std::string render_prometheus(const std::vector<Stat>& stats,
                              const std::vector<HistogramStat>& histograms);
// {"stats": {"<dotted name>": value, ...}, "histograms": {"<name>": {"count", "sum_ms", "p50",
// "p90", "p99", "p999" (milliseconds), "buckets": [{"le_ms", "count"}...]}}}
std::string render_json(const std::vector<Stat>& stats,
                        const std::vector<HistogramStat>& histograms);

}  // namespace ringress::app
