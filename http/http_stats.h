// Per-worker HTTP counters (plain integers: each worker writes only its own).
#pragma once

#include <cstdint>

#include "core/latency_histogram.h"

namespace ringress::http {

struct HttpStats {
  uint64_t connections = 0;
  uint64_t active_connections = 0;
  uint64_t requests = 0;
  uint64_t responses_by_class[6] = {};  // [1] = 1xx ... [5] = 5xx
  uint64_t upstream_requests = 0;
  uint64_t stale_connection_retries = 0;  // reused connection failed before a response byte
  uint64_t upstream_retries = 0;          // tries on another host (route retry policy)
  uint64_t upgrades = 0;
  // Local replies and failures, by cause.
  uint64_t bad_request = 0;              // 400 and other codec rejections (414, 431, 501, 505)
  uint64_t request_headers_timeout = 0;  // 408
  uint64_t request_body_timeout = 0;     // 408: the request body stalled
  uint64_t downstream_closed = 0;        // the client left (or stopped reading) mid-exchange
  uint64_t cancelled = 0;                // cut at drain_timeout or shutdown
  uint64_t no_route = 0;                 // 404
  uint64_t body_too_large = 0;           // 413
  uint64_t upstream_connect_failed = 0;  // 503
  uint64_t upstream_reset = 0;           // 502 before headers, or closed mid-body
  uint64_t upstream_protocol_error = 0;  // 502: malformed response
  uint64_t upstream_timeout = 0;         // 504
  uint64_t no_healthy_upstream = 0;      // 503 UH: no host of the cluster available
  uint64_t upstream_overflow = 0;        // 503 UO: over a cluster's circuit breaker
  uint64_t retry_limit_exceeded = 0;     // URX: a retriable upstream status, no retry left
  uint64_t rate_limited = 0;
  uint64_t fault_injected = 0;
  uint64_t direct_responses = 0;
  uint64_t redirects = 0;
  // TLS listeners.
  uint64_t tls_handshakes = 0;
  uint64_t tls_handshake_failures = 0;  // failed, timed out, or closed mid-handshake
  uint64_t tls_resumed = 0;             // handshakes that resumed a session (ticket or cache)
  uint64_t tls_plain_http = 0;          // plain HTTP sent to the TLS port (answered 400)
  uint64_t upstream_tls_failed = 0;     // 503: the upstream's TLS handshake failed
  // Latencies (all uint64_t inside, so add() below sums them too).
  core::LatencyHistogram request_time;           // accept or first byte to the end of the reply
  core::LatencyHistogram upstream_time;          // request sent upstream to its response's end
  core::LatencyHistogram upstream_connect_time;  // a new upstream connection, TLS included

  void add(const HttpStats& o) {
    const uint64_t* src = reinterpret_cast<const uint64_t*>(&o);
    uint64_t* dst = reinterpret_cast<uint64_t*>(this);
    for (std::size_t i = 0; i < sizeof(HttpStats) / sizeof(uint64_t); ++i) dst[i] += src[i];
  }
};

}  // namespace ringress::http
