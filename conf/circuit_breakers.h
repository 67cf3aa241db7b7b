// A cluster's circuit breakers (the `circuit_breakers` key of a cluster): Envoy's four
// thresholds with Envoy's defaults. Each worker enforces its share of every limit (the limit
// divided by the number of workers, rounded up), so the request path reads and writes only its
// worker's counters (docs/design.md, "Clusters: the control loop and host-set snapshots").
#pragma once

#include <cstdint>

namespace ringress::conf {

struct CircuitBreakers {
  uint32_t max_connections = 1024;       // upstream connections open (in use or idle)
  uint32_t max_pending_requests = 1024;  // requests waiting for a new connection
  uint32_t max_requests = 1024;          // requests in flight to the cluster
  uint32_t max_retries = 3;              // retries in flight to the cluster
};

}  // namespace ringress::conf
