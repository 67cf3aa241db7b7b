#include <re2/re2.h>

#include "conf/http_sections.h"
#include "conf/http_syntax.h"
#include "conf/sections.h"

namespace ringress::conf {

namespace {

constexpr Duration kMaxTimeout = std::chrono::hours(24);
constexpr Duration kMaxIdleTimeout = std::chrono::hours(24 * 7);
constexpr uint64_t kMaxBodySize = 1ull << 40;

// clang-format off
const std::vector<std::string_view> kRouteKeys = {
    "name",
    // Match
    "prefix", "exact", "path_prefix", "regex", "methods", "headers", "query",
    // Action
    "cluster", "clusters", "direct_response", "redirect",
    // Forwarding
    "timeout", "idle_timeout", "retry", "prefix_rewrite", "regex_rewrite", "host_rewrite",
    "auto_host_rewrite", "allow_upgrade", "request_headers", "hash_policy",
    // Any action
    "response_headers", "max_body_size",
};
// clang-format on

// Keys that only make sense when the route forwards the request to a cluster.
const std::vector<std::string_view> kForwardingKeys = {
    "timeout",      "idle_timeout",      "retry",         "prefix_rewrite",  "regex_rewrite",
    "host_rewrite", "auto_host_rewrite", "allow_upgrade", "request_headers", "hash_policy",
};

void read_path_match(const Table& table, Route& route) {
  auto key = one_of(table, {"prefix", "exact", "path_prefix", "regex"}, "route");
  if (!key) return;  // prefix "/": every path
  Value v = table.require(*key);
  if (*key == "regex") {
    route.path_match = PathMatch::regex;
    route.path = read_regex(v);
    return;
  }
  route.path = read_path(v);
  if (*key == "exact") {
    route.path_match = PathMatch::exact;
  } else if (*key == "prefix") {
    route.path_match = PathMatch::prefix;
  } else {
    route.path_match = PathMatch::path_prefix;
    if (route.path.size() > 1 && route.path.ends_with('/'))
      v.fail("path_prefix matches whole segments, so it does not end with \"/\": write " +
             quoted(route.path.substr(0, route.path.size() - 1)) + " (it matches " +
             route.path.substr(0, route.path.size() - 1) + " and " + route.path +
             "...), or use prefix");
  }
}

RegexRewrite read_regex_rewrite(const Value& value) {
  Table table = value.table({"pattern", "substitution"});
  RegexRewrite out;
  out.pattern = read_regex(table.require("pattern"));
  Value substitution = table.require("substitution");
  out.substitution = substitution.string();
  RE2 re(out.pattern, RE2::Quiet);
  std::string error;
  if (!re.CheckRewriteString(out.substitution, &error)) {
    int wanted = RE2::MaxSubmatch(out.substitution), groups = re.NumberOfCapturingGroups();
    if (wanted > groups)
      substitution.fail("\\" + std::to_string(wanted) + " refers to group " +
                        std::to_string(wanted) + ", but the pattern has only " +
                        std::to_string(groups) + " (groups are the parts in parentheses)");
    substitution.fail("a \"\\\" is followed by a group number (\\0 to \\9) or by another \"\\\"");
  }
  return out;
}

void read_rewrites(const Table& table, Route& route) {
  if (auto key = one_of(table, {"prefix_rewrite", "regex_rewrite"}, "route")) {
    Value v = table.require(*key);
    if (*key == "regex_rewrite") {
      route.regex_rewrite = read_regex_rewrite(v);
    } else {
      if (route.path_match != PathMatch::prefix && route.path_match != PathMatch::path_prefix)
        table.fail_key("prefix_rewrite",
                       "prefix_rewrite replaces the part of the path that the route's prefix "
                       "matched, so it needs a prefix or path_prefix route; use regex_rewrite");
      route.prefix_rewrite = read_path(v);
    }
  }
  if (auto key = one_of(table, {"host_rewrite", "auto_host_rewrite"}, "route")) {
    Value v = table.require(*key);
    if (*key == "auto_host_rewrite") {
      route.auto_host_rewrite = v.boolean();
    } else {
      route.host_rewrite = v.string();
      if (!is_host_header(route.host_rewrite))
        v.fail(
            "expected a host name or address with an optional port, like \"web.internal\" or "
            "\"web.internal:8080\", got " +
            v.describe());
    }
  }
}

// hash_policy: only where a cluster of the route places requests by their hash key.
void read_route_hash_policy(const Table& table, const std::vector<Cluster>& clusters,
                            Route& route) {
  auto v = table.get("hash_policy");
  if (!v) return;
  route.hash_policy = read_hash_policy(*v);
  for (const WeightedCluster& wc : route.clusters) {
    if (clusters[wc.cluster].lb.hashes()) return;
  }
  const Cluster& first = clusters[route.clusters.front().cluster];
  table.fail_key("hash_policy",
                 "hash_policy is for clusters with lb_policy \"ring_hash\" or \"maglev\"; " +
                     (route.clusters.size() == 1
                          ? quoted(first.name) + " has " + quoted(lb_policy_name(first.lb.policy))
                          : std::string("none of this route's clusters has one")));
}

}  // namespace

Route read_route(const Value& value, const std::string& vhost_name, size_t index,
                 const std::vector<Cluster>& clusters, NameIndex& names) {
  Table table = value.table(kRouteKeys);
  Route route;
  route.name = vhost_name + "/" + std::to_string(index);
  if (auto v = table.get("name")) {
    route.name = read_name(*v);
    auto [it, added] = names.emplace(route.name, index);
    if (!added)
      v->fail(quoted(route.name) + " is already the name of " +
              value.path().substr(0, value.path().rfind('[')) + "[" + std::to_string(it->second) +
              "]");
  }

  // Match
  read_path_match(table, route);
  if (auto v = table.get("methods")) route.methods = read_methods(*v);
  if (auto v = table.get("headers")) route.headers = read_header_matchers(*v);
  if (auto v = table.get("query")) route.query = read_query_matchers(*v);

  // Action
  auto action = one_of(table, {"cluster", "clusters", "direct_response", "redirect"}, "route");
  if (!action)
    value.fail("a route needs an action: cluster, clusters, direct_response or redirect");
  Value what = table.require(*action);
  if (*action == "cluster") {
    route.clusters.push_back({find_cluster(what, clusters), 1});
  } else if (*action == "clusters") {
    route.clusters = read_weighted_clusters(what, clusters);
  } else if (*action == "direct_response") {
    route.direct_response = read_direct_response(what);
  } else {
    route.redirect = read_redirect(what, route.path_match);
  }
  if (route.clusters.empty()) {
    auto keys = table.present(kForwardingKeys);
    if (!keys.empty())
      table.fail_key(keys[0], std::string(keys[0]) +
                                  " is for routes that forward to a cluster; this one has " +
                                  std::string(*action));
  }

  // What happens on the way
  read_rewrites(table, route);
  if (auto v = table.get("timeout")) route.timeout = v->duration(Duration{0}, kMaxTimeout);
  if (auto v = table.get("idle_timeout"))
    route.idle_timeout = v->duration(Duration{0}, kMaxIdleTimeout);
  if (auto v = table.get("max_body_size")) route.max_body_size = v->size(0, kMaxBodySize);
  if (auto v = table.get("request_headers"))
    route.request_headers =
        read_header_mutations(v->table({"set", "add", "remove"}), "set", "add", "remove", true);
  if (auto v = table.get("response_headers"))
    route.response_headers =
        read_header_mutations(v->table({"set", "add", "remove"}), "set", "add", "remove", false);
  if (auto v = table.get("allow_upgrade")) route.allow_upgrade = v->boolean();
  if (auto v = table.get("retry")) route.retry = read_retry(*v);
  read_route_hash_policy(table, clusters, route);
  return route;
}

}  // namespace ringress::conf
