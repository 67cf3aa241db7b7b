// RouteTable: the router's view of an http listener's virtual hosts, compiled once per config
// snapshot and then used by every request: pick the virtual host by Host (DomainMatcher), the
// first route that matches (each host's RouteIndex), and build the rewritten upstream target or
// a redirect's Location. match() neither allocates nor parses (beyond scanning the query
// string), and its cost depends on the request, not on the number of hosts or routes; rewrites
// write into the request's Arena. See docs/routing.md for the rules and the costs.
//
// Lifetime: the table keeps a pointer to the vector of virtual hosts it was built from and views
// into its strings, and match() returns pointers into it. That vector (the config snapshot) must
// outlive the table, and must not be moved or changed while the table exists.
//
// Threads: const methods may be called from any thread at once. RE2 guards its lazily built DFA
// cache with a reader lock, so a shared-nothing worker should build its own table (it is cheap).
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "conf/http_config.h"
#include "core/arena.h"
#include "http/domain_matcher.h"
#include "http/path_rewrite.h"
#include "http/route_index.h"
#include "http/route_matcher.h"
#include "http/route_request.h"

namespace ringress::http {

class RouteTable {
 public:
  // Compiles every domain, matcher and regex. Throws std::invalid_argument on a bad regex or
  // regex_rewrite substitution (conf validates them; this is the backstop).
  explicit RouteTable(const std::vector<conf::VirtualHost>& vhosts);
  explicit RouteTable(std::vector<conf::VirtualHost>&&) = delete;  // would dangle
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;
  ~RouteTable();

  // The first matching route of the selected virtual host, or nullptr (404 no route).
  // `vhost_out` (optional) gets the virtual host, or nullptr when no domain matched; it is set
  // also when the host matched but none of its routes did.
  const conf::Route* match(const RouteRequest& req,
                           const conf::VirtualHost** vhost_out = nullptr) const;

  // Path (+ "?query" when `query` is not empty) to send upstream after prefix_rewrite or
  // regex_rewrite of `route`, or `original_target` when neither applies (no rewrite configured,
  // or a regex_rewrite whose pattern does not occur in the path). Lives in `arena` or is
  // `original_target`.
  std::string_view rewrite_target(const conf::Route& route, std::string_view path,
                                  std::string_view query, std::string_view original_target,
                                  core::Arena& arena) const;

  // The Location for a redirect route: scheme://host/path[?query] (relative "/path[?query]" when
  // there is no host to name). `scheme` is the request's; `host` the Host as received. Lives in
  // `arena`; empty when `route` has no redirect. The status is route.redirect->status.
  std::string_view redirect_location(const conf::Route& route, std::string_view scheme,
                                     std::string_view host, std::string_view path,
                                     std::string_view query, core::Arena& arena) const;

 private:
  struct RegexRewrite {
    const RE2* re;
    routing::Substitution substitution;
  };

  const std::vector<conf::VirtualHost>* vhosts_;
  routing::DomainMatcher domains_;
  std::vector<std::unique_ptr<RE2>> regexes_;    // every compiled regex; others point in here
  std::vector<routing::RouteMatcher> matchers_;  // all routes of all hosts, in config order
  std::vector<uint32_t> first_route_;            // per host: its first index in matchers_
  std::vector<routing::RouteIndex> indexes_;     // per host, over its part of matchers_
  std::unordered_map<const conf::Route*, RegexRewrite> regex_rewrites_;
};

}  // namespace ringress::http
