// Per-worker counters. Plain integers: each worker writes only its own, and they are read after
// the worker stopped (an admin endpoint that reads them live comes with the HTTP layer).
#pragma once

#include <cstdint>

namespace ringress::app {

struct TcpStats {
  uint64_t accepted = 0;
  uint64_t active = 0;
  uint64_t upstream_connect_failed = 0;  // each failed attempt (refused, unreachable, timeout)
  uint64_t upstream_connect_timeout = 0;
  uint64_t no_upstream = 0;          // every attempt failed: client closed
  uint64_t no_healthy_upstream = 0;  // no host available in the cluster: client closed
  uint64_t overflow = 0;             // over the cluster's max_connections: client closed
  uint64_t idle_timeout = 0;
  uint64_t reset = 0;  // a side failed mid-stream: both closed
  uint64_t bytes_downstream_to_upstream = 0;
  uint64_t bytes_upstream_to_downstream = 0;
  uint64_t tls_handshakes = 0;          // client handshakes on tls listeners
  uint64_t tls_handshake_failures = 0;  // failed, timed out, or closed before a ClientHello
  uint64_t tls_resumed = 0;             // client handshakes that resumed a session
  uint64_t sni_no_route = 0;            // no sni_routes entry for the name, and no default
  uint64_t upstream_tls_failed = 0;     // the upstream's TLS handshake failed: client closed

  void add(const TcpStats& o) {
    accepted += o.accepted;
    active += o.active;
    upstream_connect_failed += o.upstream_connect_failed;
    upstream_connect_timeout += o.upstream_connect_timeout;
    no_upstream += o.no_upstream;
    no_healthy_upstream += o.no_healthy_upstream;
    overflow += o.overflow;
    idle_timeout += o.idle_timeout;
    reset += o.reset;
    bytes_downstream_to_upstream += o.bytes_downstream_to_upstream;
    bytes_upstream_to_downstream += o.bytes_upstream_to_downstream;
    tls_handshakes += o.tls_handshakes;
    tls_handshake_failures += o.tls_handshake_failures;
    tls_resumed += o.tls_resumed;
    sni_no_route += o.sni_no_route;
    upstream_tls_failed += o.upstream_tls_failed;
  }
};

}  // namespace ringress::app
