#include "app/admin_stats.h"

#include <cinttypes>
#include <cstdio>
#include <map>

namespace ringress::app {

namespace {

class StatList {
 public:
  explicit StatList(std::vector<Stat>& out) : out_(out) {}
  void counter(std::string name, uint64_t v) { add(std::move(name), StatType::counter, v); }
  void gauge(std::string name, uint64_t v) { add(std::move(name), StatType::gauge, v); }
  void scoped(std::string scope, std::string scope_name) {
    scope_ = std::move(scope);
    scope_name_ = std::move(scope_name);
  }

 private:
  void add(std::string name, StatType type, uint64_t v) {
    out_.push_back(Stat{std::move(name), scope_, scope_name_, type, v});
  }
  std::vector<Stat>& out_;
  std::string scope_, scope_name_;
};

void downstream_stats(StatList& s, const WorkerSnapshot& w) {
  const http::HttpStats& h = w.http;
  const TcpStats& t = w.tcp;
  s.counter("downstream_cx_total", h.connections + t.accepted);
  s.gauge("downstream_cx_active", h.active_connections + t.active);
  s.counter("downstream_cx_http_total", h.connections);
  s.counter("downstream_cx_tcp_total", t.accepted);
  uint64_t overflow = 0;
  for (uint64_t n : w.listener_cx_overflow) overflow += n;
  s.counter("downstream_cx_overflow", overflow);
  s.counter("downstream_rq_total", h.requests);
  const char* classes[] = {"",
                           "downstream_rq_1xx",
                           "downstream_rq_2xx",
                           "downstream_rq_3xx",
                           "downstream_rq_4xx",
                           "downstream_rq_5xx"};
  for (int c = 1; c <= 5; ++c) s.counter(classes[c], h.responses_by_class[c]);
  s.counter("downstream_rq_bad_request", h.bad_request);
  s.counter("downstream_rq_header_timeout", h.request_headers_timeout);
  s.counter("downstream_rq_body_timeout", h.request_body_timeout);
  s.counter("downstream_rq_client_closed", h.downstream_closed);
  s.counter("downstream_rq_drain_cancelled", h.cancelled);
  s.counter("downstream_rq_no_route", h.no_route);
  s.counter("downstream_rq_too_large", h.body_too_large);
  s.counter("downstream_rq_rate_limited", h.rate_limited);
  s.counter("downstream_rq_fault_injected", h.fault_injected);
  s.counter("downstream_rq_direct_response", h.direct_responses);
  s.counter("downstream_rq_redirect", h.redirects);
  s.counter("downstream_rq_upgrade", h.upgrades);
  s.counter("downstream_tls_handshake", h.tls_handshakes + t.tls_handshakes);
  s.counter("downstream_tls_handshake_fail", h.tls_handshake_failures + t.tls_handshake_failures);
  s.counter("downstream_tls_resumed", h.tls_resumed + t.tls_resumed);
  s.counter("downstream_tls_plain_http", h.tls_plain_http);
  s.counter("downstream_tls_sni_no_route", t.sni_no_route);
}

void upstream_stats(StatList& s, const WorkerSnapshot& w) {
  const http::HttpStats& h = w.http;
  const TcpStats& t = w.tcp;
  uint64_t connect_fail = t.upstream_connect_failed;
  uint64_t connect_timeout = t.upstream_connect_timeout;
  for (const ClusterLoad& c : w.clusters) {
    connect_fail += c.pool.connect_failures;
    connect_timeout += c.pool.connect_timeouts;
  }
  s.counter("upstream_rq_total", h.upstream_requests);
  s.counter("upstream_rq_retry", h.upstream_retries);
  s.counter("upstream_rq_retry_limit_exceeded", h.retry_limit_exceeded);
  s.counter("upstream_rq_stale_connection_retry", h.stale_connection_retries);
  s.counter("upstream_rq_timeout", h.upstream_timeout);
  s.counter("upstream_rq_reset", h.upstream_reset);
  s.counter("upstream_rq_protocol_error", h.upstream_protocol_error);
  s.counter("upstream_rq_connect_fail", h.upstream_connect_failed);
  s.counter("upstream_rq_no_healthy_upstream", h.no_healthy_upstream);
  s.counter("upstream_rq_overflow", h.upstream_overflow);
  s.counter("upstream_rq_tls_fail", h.upstream_tls_failed);
  s.counter("upstream_cx_connect_fail", connect_fail);
  s.counter("upstream_cx_connect_timeout", connect_timeout);
  s.counter("tcp_upstream_cx_none", t.no_upstream);
  s.counter("tcp_upstream_cx_no_healthy_upstream", t.no_healthy_upstream);
  s.counter("tcp_upstream_cx_overflow", t.overflow);
  s.counter("tcp_upstream_cx_tls_fail", t.upstream_tls_failed);
  s.counter("tcp_cx_idle_timeout", t.idle_timeout);
  s.counter("tcp_cx_reset", t.reset);
  s.counter("tcp_tx_bytes_upstream", t.bytes_downstream_to_upstream);
  s.counter("tcp_tx_bytes_downstream", t.bytes_upstream_to_downstream);
}

void buffer_stats(StatList& s, const core::BufferPoolStats& b) {
  s.gauge("buffer_pool_capacity", b.capacity);
  s.gauge("buffer_pool_in_use", b.in_use);
  s.gauge("buffer_pool_in_use_high", b.in_use_high);
  s.gauge("buffer_pool_in_ring", b.in_ring);
  s.gauge("buffer_pool_ring_target", b.ring_target);
  s.gauge("buffer_pool_resident", b.resident);
  s.gauge("buffer_pool_resident_high", b.resident_high);
  s.counter("buffer_pool_given_back", b.given_back);
  s.counter("buffer_pool_exhausted", b.exhausted);
}

void cluster_stats(StatList& s, const ClusterLoad& c, const ClusterControlStats& k) {
  s.gauge("upstream_cx_active", c.cx_active);
  s.counter("upstream_cx_total", c.pool.connections_opened);
  s.counter("upstream_cx_connect_fail", c.pool.connect_failures);
  s.counter("upstream_cx_connect_timeout", c.pool.connect_timeouts);
  s.counter("upstream_cx_pool_reuse", c.pool.reused);
  s.counter("upstream_cx_destroy_remote_idle", c.pool.closed_by_upstream);
  s.counter("upstream_cx_idle_timeout", c.pool.idle_timeouts);
  s.counter("upstream_cx_not_reused", c.pool.discarded);
  s.counter("upstream_cx_tls_handshake", c.pool.tls_handshakes);
  s.counter("upstream_cx_tls_resumed", c.pool.tls_resumed);
  s.counter("upstream_cx_tls_fail", c.pool.tls_failures);
  s.gauge("upstream_rq_active", c.rq_active);
  s.counter("upstream_rq_timeout", c.counters.per_try_timeouts);
  s.counter("upstream_cx_none_healthy", c.counters.no_healthy_upstream);
  s.counter("lb_healthy_panic", c.counters.panic_picks);
  s.counter("upstream_cx_overflow", c.counters.overflow_connections);
  s.counter("upstream_rq_pending_overflow", c.counters.overflow_pending);
  s.counter("upstream_rq_overflow", c.counters.overflow_requests);
  s.counter("upstream_rq_retry_overflow", c.counters.overflow_retries);
  s.counter("upstream_rq_retry_budget_exhausted", c.counters.retry_budget_exhausted);
  s.counter("upstream_rq_retry_backoff", c.counters.retry_backoffs);
  s.counter("upstream_outcome_reports_dropped", c.counters.reports_dropped);
  s.gauge("membership_total", k.membership_total);
  s.gauge("membership_healthy", k.membership_healthy);
  s.counter("membership_change", k.state.host_changes);
  s.counter("host_set_published", k.state.snapshots);
  if (k.health) {
    s.counter("health_check.attempt", k.health->checks);
    s.counter("health_check.failure", k.health->failures);
    s.counter("health_check.became_unhealthy", k.health->became_unhealthy);
    s.counter("health_check.became_healthy", k.health->became_healthy);
  }
  if (k.outlier) {
    s.gauge("outlier_detection.ejections_active", k.ejections_active);
    s.counter("outlier_detection.ejections_total", k.outlier->ejections());
    s.counter("outlier_detection.ejections_consecutive_5xx", k.outlier->ejections_consecutive_5xx);
    s.counter("outlier_detection.ejections_consecutive_gateway_failure",
              k.outlier->ejections_consecutive_gateway_failure);
    s.counter("outlier_detection.ejections_success_rate", k.outlier->ejections_success_rate);
    s.counter("outlier_detection.ejections_overflow", k.outlier->ejections_refused);
    s.counter("outlier_detection.returns", k.outlier->returns);
  }
}

std::string prometheus_name(const std::string& name) {
  std::string out = "ringress_" + name;
  for (char& c : out)
    if (c == '.') c = '_';
  return out;
}

// A label value: backslash, quote and newline escaped (names are plain, but stay safe).
std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string json_string(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string Stat::dotted() const {
  if (scope.empty()) return name;
  return scope + "." + scope_name + "." + name;
}

std::vector<Stat> collect_stats(const StatsInput& in) {
  std::vector<Stat> out;
  StatList s(out);
  const WorkerSnapshot& w = *in.workers;
  s.gauge("server.uptime_seconds", static_cast<uint64_t>(in.uptime_seconds));
  s.gauge("server.workers", in.worker_count);
  s.gauge("server.draining", in.draining ? 1 : 0);
  s.counter("server.log_dropped_lines", in.log_dropped_lines);
  s.gauge("server.config_generation", in.config_generation);
  s.counter("server.reload_ok", in.reloads_ok);
  s.counter("server.reload_failed", in.reloads_failed);
  downstream_stats(s, w);
  upstream_stats(s, w);
  buffer_stats(s, w.buffers);
  for (std::size_t i = 0; i < in.config->listeners.size(); ++i) {
    s.scoped("listener", in.config->listeners[i].name);
    s.gauge("downstream_cx_active", i < w.listener_cx_active.size() ? w.listener_cx_active[i] : 0);
    s.counter("downstream_cx_overflow",
              i < w.listener_cx_overflow.size() ? w.listener_cx_overflow[i] : 0);
  }
  for (std::size_t i = 0; i < in.config->clusters.size(); ++i) {
    s.scoped("cluster", in.config->clusters[i].name);
    static const ClusterLoad kEmpty;
    cluster_stats(s, i < w.clusters.size() ? w.clusters[i] : kEmpty,
                  i < in.clusters.size() ? in.clusters[i] : ClusterControlStats{});
  }
  return out;
}

std::vector<HistogramStat> collect_histograms(const StatsInput& in) {
  return {{"downstream_rq_time", &in.workers->downstream_rq_time},
          {"upstream_rq_time", &in.workers->upstream_rq_time},
          {"upstream_cx_connect_time", &in.workers->upstream_cx_connect_time}};
}

std::string render_prometheus(const std::vector<Stat>& stats,
                              const std::vector<HistogramStat>& histograms) {
  // Samples of one family must follow its # TYPE line: group by name, first appearance first.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Stat*>> families;
  for (const Stat& s : stats) {
    std::string name = prometheus_name(s.scope.empty() ? s.name : s.scope + "_" + s.name);
    auto [it, added] = families.try_emplace(name);
    if (added) order.push_back(name);
    it->second.push_back(&s);
  }
  std::string out;
  out.reserve(stats.size() * 64);
  for (const std::string& name : order) {
    const auto& samples = families[name];
    out += "# TYPE " + name + (samples[0]->type == StatType::counter ? " counter\n" : " gauge\n");
    for (const Stat* s : samples) {
      out += name;
      if (!s->scope.empty()) out += "{" + s->scope + "=\"" + label_value(s->scope_name) + "\"}";
      out += " " + std::to_string(s->value) + "\n";
    }
  }
  for (const HistogramStat& h : histograms) {
    const std::string name = prometheus_name(h.name) + "_seconds";
    const core::LatencyHistogram& hist = *h.histogram;
    out += "# TYPE " + name + " histogram\n";
    uint64_t cumulative = 0;
    for (std::size_t i = 0; i < core::LatencyHistogram::kBoundsUs.size(); ++i) {
      cumulative += hist.counts[i];
      out += name + "_bucket{le=\"" +
             number(static_cast<double>(core::LatencyHistogram::kBoundsUs[i]) / 1e6) + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    out += name + "_bucket{le=\"+Inf\"} " + std::to_string(hist.count) + "\n";
    out += name + "_sum " + number(static_cast<double>(hist.sum_us) / 1e6) + "\n";
    out += name + "_count " + std::to_string(hist.count) + "\n";
  }
  return out;
}

std::string render_json(const std::vector<Stat>& stats,
                        const std::vector<HistogramStat>& histograms) {
  std::string out = "{\"stats\": {";
  for (std::size_t i = 0; i < stats.size(); ++i) {
    if (i > 0) out += ", ";
    out += json_string(stats[i].dotted()) + ": " + std::to_string(stats[i].value);
  }
  out += "}, \"histograms\": {";
  for (std::size_t i = 0; i < histograms.size(); ++i) {
    const core::LatencyHistogram& h = *histograms[i].histogram;
    if (i > 0) out += ", ";
    out += json_string(histograms[i].name) + ": {\"count\": " + std::to_string(h.count) +
           ", \"sum_ms\": " + number(static_cast<double>(h.sum_us) / 1e3);
    const std::pair<const char*, double> quantiles[] = {
        {"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}};
    for (const auto& [label, q] : quantiles)
      out += std::string(", \"") + label + "\": " + number(h.quantile_us(q) / 1e3);
    out += ", \"buckets\": [";
    for (std::size_t b = 0; b < core::LatencyHistogram::kBoundsUs.size(); ++b) {
      if (b > 0) out += ", ";
      out +=
          "{\"le_ms\": " + number(static_cast<double>(core::LatencyHistogram::kBoundsUs[b]) / 1e3) +
          ", \"count\": " + std::to_string(h.counts[b]) + "}";
    }
    out += ", {\"le_ms\": \"+Inf\", \"count\": " +
           std::to_string(h.counts[core::LatencyHistogram::kBoundsUs.size()]) + "}]}";
  }
  return out + "}}\n";
}

}  // namespace ringress::app
