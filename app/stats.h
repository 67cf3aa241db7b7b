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
  uint64_t no_upstream = 0;  // every attempt failed: client closed
  uint64_t idle_timeout = 0;
  uint64_t reset = 0;  // a side failed mid-stream: both closed
  uint64_t bytes_downstream_to_upstream = 0;
  uint64_t bytes_upstream_to_downstream = 0;

  void add(const TcpStats& o) {
    accepted += o.accepted;
    active += o.active;
    upstream_connect_failed += o.upstream_connect_failed;
    upstream_connect_timeout += o.upstream_connect_timeout;
    no_upstream += o.no_upstream;
    idle_timeout += o.idle_timeout;
    reset += o.reset;
    bytes_downstream_to_upstream += o.bytes_downstream_to_upstream;
    bytes_upstream_to_downstream += o.bytes_upstream_to_downstream;
  }
};

}  // namespace ringress::app
