// Filter: one step of a listener's HTTP filter chain. Request hooks run in the configured order,
// response hooks in reverse; any request hook may answer locally by filling exchange.local and
// returning FilterStatus::stop. The router is the chain's terminal step and lives in the
// connection manager. Instances are per worker and per listener (so their state, a token
// bucket say, needs no lock). Body hooks see every body slice and must not suspend.
#pragma once

#include <memory>
#include <vector>

#include "conf/http_config.h"
#include "core/buffer_pool.h"
#include "core/task.h"
#include "http/exchange.h"
#include "http/header_map.h"

namespace ringress::http {

enum class FilterStatus { proceed, stop };

class Filter {
 public:
  virtual ~Filter() = default;
  virtual core::Task<FilterStatus> on_request_headers(Exchange& exchange);
  virtual void on_request_body(Exchange&, const core::BufferSlice&) {}
  // The response head about to go to the client (upstream or local).
  virtual void on_response_headers(Exchange&, HeaderMap&) {}
  virtual void on_response_body(Exchange&, const core::BufferSlice&) {}
  // After the last byte went out (or the exchange failed): logging, accounting.
  virtual void on_complete(const Exchange&) {}
};

class AccessLogSinks;

// The filters of one listener, in order, without the router. Throws std::runtime_error when an
// access log file cannot be opened (at worker start, not per request).
std::vector<std::unique_ptr<Filter>> make_filters(const std::vector<conf::FilterConfig>& configs,
                                                  AccessLogSinks& logs);

}  // namespace ringress::http
