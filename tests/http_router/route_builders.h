// Small builders for router tests: conf structs are plain data, these keep the tests short.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "conf/http_config.h"
#include "http/route_request.h"

namespace ringress::http::router_test {

inline conf::Route make_route(conf::PathMatch kind, std::string path, std::string name = "") {
  conf::Route r;
  r.name = std::move(name);
  r.path_match = kind;
  r.path = std::move(path);
  return r;
}
inline conf::Route prefix(std::string path, std::string name = "") {
  return make_route(conf::PathMatch::prefix, std::move(path), std::move(name));
}
inline conf::Route exact(std::string path, std::string name = "") {
  return make_route(conf::PathMatch::exact, std::move(path), std::move(name));
}
inline conf::Route path_prefix(std::string path, std::string name = "") {
  return make_route(conf::PathMatch::path_prefix, std::move(path), std::move(name));
}
inline conf::Route regex(std::string path, std::string name = "") {
  return make_route(conf::PathMatch::regex, std::move(path), std::move(name));
}

inline conf::VirtualHost vhost(std::string name, std::vector<std::string> domains,
                               std::vector<conf::Route> routes) {
  conf::VirtualHost vh;
  vh.name = std::move(name);
  vh.domains = std::move(domains);
  vh.routes = std::move(routes);
  return vh;
}

inline RouteRequest request(std::string_view path, std::string_view query = {},
                            std::string_view method = "GET", const HeaderMap* headers = nullptr,
                            std::string_view host = "example.com") {
  return RouteRequest{host, method, path, query, headers};
}

}  // namespace ringress::http::router_test
