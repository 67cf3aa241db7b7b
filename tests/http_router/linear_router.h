// The reference router for the property tests: the documented rules applied the slow, obvious
// way. Virtual hosts are picked by looking at every domain of every host; routes by trying each
// route of the host in order with RouteMatcher::matches (the first-match walk RouteTable did
// before it had an index).
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "conf/http_config.h"
#include "http/domain_matcher.h"
#include "http/route_matcher.h"
#include "http/route_request.h"

namespace ringress::http::router_test {

// The virtual host for `host` (as received) by docs/routing.md: exact, then the longest
// "*.suffix", then the longest "prefix.*", then "*"; on a tie the host listed first. -1: none.
inline int linear_vhost(const std::vector<conf::VirtualHost>& vhosts, std::string_view host) {
  host = routing::strip_port(host);
  if (host.size() > 1 && host.back() == '.') host.remove_suffix(1);
  int best = -1, best_rank = 5;
  std::size_t best_length = 0;
  for (std::size_t v = 0; v < vhosts.size(); ++v) {
    for (const std::string& d : vhosts[v].domains) {
      int rank = 5;
      std::size_t length = 0;
      std::string_view domain = d;
      if (domain == "*") {
        rank = 4;
      } else if (domain.starts_with('*')) {
        std::string_view fixed = domain.substr(1);
        if (host.size() > fixed.size() &&
            routing::equals_ignore_case(host.substr(host.size() - fixed.size()), fixed)) {
          rank = 2;
          length = fixed.size();
        }
      } else if (domain.ends_with('*')) {
        std::string_view fixed = domain.substr(0, domain.size() - 1);
        if (host.size() > fixed.size() &&
            routing::equals_ignore_case(host.substr(0, fixed.size()), fixed)) {
          rank = 3;
          length = fixed.size();
        }
      } else if (routing::equals_ignore_case(host, domain)) {
        rank = 1;
      }
      if (rank < best_rank || (rank == best_rank && rank < 4 && length > best_length)) {
        best = static_cast<int>(v);
        best_rank = rank;
        best_length = length;
      }
    }
  }
  return best;
}

// One virtual host's routes, tried in order.
class LinearRoutes {
 public:
  explicit LinearRoutes(const std::vector<conf::Route>& routes) {
    for (const conf::Route& r : routes) matchers_.emplace_back(r, regexes_, r.name);
  }
  // The number of the first route that matches, or -1.
  int match(const RouteRequest& req) const {
    for (std::size_t i = 0; i < matchers_.size(); ++i) {
      if (matchers_[i].matches(req)) return static_cast<int>(i);
    }
    return -1;
  }

 private:
  std::vector<std::unique_ptr<RE2>> regexes_;
  std::vector<routing::RouteMatcher> matchers_;
};

}  // namespace ringress::http::router_test
