// RouteRequest: the parts of a request that route matching looks at, as views into the request
// (nothing is copied or parsed to build one).
#pragma once

#include <string_view>

namespace ringress::http {

class HeaderMap;

struct RouteRequest {
  std::string_view host;               // Host header value as received (port ignored, any case)
  std::string_view method;             // compared case-sensitively ("GET")
  std::string_view path;               // without query
  std::string_view query;              // without '?'
  const HeaderMap* headers = nullptr;  // nullptr: no headers
};

}  // namespace ringress::http
