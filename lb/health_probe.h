// One active health check of one host: connect (over TLS when the cluster originates TLS), then
// an HTTP request whose status and body are checked, or a TCP exchange of optional send/expect
// bytes, all within the check's timeout. The connection comes from a ConnectionPool, so a probe
// opens it exactly as a request would (connect_timeout, TLS settings, SNI, verification); it is
// never pooled: every probe opens a new connection and closes it (the request says
// Connection: close).
#pragma once

#include <string>
#include <string_view>

#include "conf/health_check.h"
#include "core/cancel_token.h"
#include "core/task.h"
#include "lb/connection_pool.h"

namespace ringress::lb {

struct ProbeResult {
  bool passed = false;
  // What was seen, for logs: "status 200", "connected" on a pass; "status 503", "connect
  // refused", "timeout", "TLS handshake failed: ...", "body did not contain \"ok\"", ... on a
  // failure; "cancelled" when `stop` ended it (no verdict then).
  std::string why;
};

// Checks host `host` of `pool` once. `host_header` is the Host of an http check (the config's
// `host` key, else the endpoint's name). Cancelling `stop` ends the probe at once.
core::Task<ProbeResult> probe_host(const conf::HealthCheck& check, ConnectionPool& pool,
                                   std::size_t host, std::string_view host_header,
                                   core::CancelToken& stop);

// `bytes` for a log line: printable ASCII as it is, anything else as \xNN, quoted.
std::string printable(std::string_view bytes);

}  // namespace ringress::lb
