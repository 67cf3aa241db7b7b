// What happened to one request on one host, as a worker reports it to the control loop (in
// batches, app/worker_registry.h) for passive outlier detection (lb/outlier_detector.h).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringress::lb {

enum class HostOutcome : uint8_t {
  success,
  status_5xx,       // a 5xx response other than 502, 503, 504; an invalid response
  gateway_failure,  // a 502, 503 or 504 response, connect failure, reset, timeout (also a 5xx)
  local_origin_failure,
};

// `host` is an index into the HostSet of `version` (hosts move between versions).
struct OutcomeReport {
  std::size_t host = 0;
  HostOutcome outcome = HostOutcome::success;
  uint64_t version = 0;
};

}  // namespace ringress::lb
