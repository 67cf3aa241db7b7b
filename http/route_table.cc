#include "http/route_table.h"

#include <span>
#include <string>

#include "http/route_regex.h"

namespace ringress::http {
namespace {

// The Host without its port when the port is the default one of `scheme` ("a:80" for http).
std::string_view without_default_port(std::string_view host, std::string_view scheme) {
  std::string_view name = routing::strip_port(host);
  if (name.size() == host.size()) return host;
  std::string_view port = host.substr(name.size() + 1);
  bool is_default = (port == "80" && routing::equals_ignore_case(scheme, "http")) ||
                    (port == "443" && routing::equals_ignore_case(scheme, "https"));
  return is_default ? name : host;
}

void append_path_and_query(routing::ArenaWriter& out, routing::PathParts path,
                           std::string_view query) {
  if (path.head.empty() && path.tail.empty()) {
    out.append("/");
  } else {
    out.append(path.head);
    out.append(path.tail);
  }
  if (!query.empty()) {
    out.append("?");
    out.append(query);
  }
}

}  // namespace

RouteTable::RouteTable(const std::vector<conf::VirtualHost>& vhosts) : vhosts_(&vhosts) {
  std::size_t routes = 0;
  for (const conf::VirtualHost& vh : vhosts) routes += vh.routes.size();
  matchers_.reserve(routes);
  first_route_.reserve(vhosts.size() + 1);
  for (uint32_t v = 0; v < vhosts.size(); ++v) {
    const conf::VirtualHost& vh = vhosts[v];
    for (const std::string& domain : vh.domains) domains_.add(domain, v);
    first_route_.push_back(static_cast<uint32_t>(matchers_.size()));
    for (std::size_t i = 0; i < vh.routes.size(); ++i) {
      const conf::Route& route = vh.routes[i];
      std::string what = "virtual host '" + vh.name + "' route " +
                         (route.name.empty() ? std::to_string(i) : "'" + route.name + "'");
      matchers_.emplace_back(route, regexes_, what);
      if (route.regex_rewrite) {
        regexes_.push_back(
            routing::compile_regex(route.regex_rewrite->pattern, what + " regex_rewrite pattern"));
        const RE2& re = *regexes_.back();
        regex_rewrites_.emplace(
            &route,
            RegexRewrite{&re, routing::Substitution(route.regex_rewrite->substitution, re)});
      }
    }
  }
  first_route_.push_back(static_cast<uint32_t>(matchers_.size()));
  // matchers_ is complete and never grows again, so the indexes may point into it.
  indexes_.reserve(vhosts.size());
  const std::span<const routing::RouteMatcher> all(matchers_);
  for (uint32_t v = 0; v < vhosts.size(); ++v) {
    indexes_.emplace_back(all.subspan(first_route_[v], first_route_[v + 1] - first_route_[v]));
  }
}

RouteTable::~RouteTable() = default;

const conf::Route* RouteTable::match(const RouteRequest& req,
                                     const conf::VirtualHost** vhost_out) const {
  uint32_t v = domains_.find(req.host);
  if (v == routing::DomainMatcher::npos) {
    if (vhost_out != nullptr) *vhost_out = nullptr;
    return nullptr;
  }
  const conf::VirtualHost& vh = (*vhosts_)[v];
  if (vhost_out != nullptr) *vhost_out = &vh;
  uint32_t route = indexes_[v].find(req);
  return route == routing::RouteIndex::npos ? nullptr : &vh.routes[route];
}

std::string_view RouteTable::rewrite_target(const conf::Route& route, std::string_view path,
                                            std::string_view query,
                                            std::string_view original_target,
                                            core::Arena& arena) const {
  routing::ArenaWriter out(arena);
  if (!route.prefix_rewrite.empty()) {
    append_path_and_query(out, routing::replace_matched_prefix(route, path, route.prefix_rewrite),
                          query);
    return out.text();
  }
  if (!route.regex_rewrite) return original_target;
  auto it = regex_rewrites_.find(&route);
  if (it == regex_rewrites_.end()) return original_target;  // a route of another table
  if (it->second.substitution.replace_all(*it->second.re, path, out) == 0) return original_target;
  std::string_view rewritten = out.text();
  if (rewritten.empty()) out.append("/");
  if (!query.empty()) {
    out.append("?");
    out.append(query);
  }
  return out.text();
}

std::string_view RouteTable::redirect_location(const conf::Route& route, std::string_view scheme,
                                               std::string_view host, std::string_view path,
                                               std::string_view query, core::Arena& arena) const {
  if (!route.redirect) return {};
  const conf::Redirect& r = *route.redirect;
  std::string_view to_scheme = r.scheme.empty() ? scheme : std::string_view(r.scheme);
  std::string_view to_host = r.host;
  if (to_host.empty()) {
    to_host =
        routing::equals_ignore_case(to_scheme, scheme) ? host : without_default_port(host, scheme);
  }
  std::string_view to_query = r.strip_query ? std::string_view() : query;
  routing::PathParts to_path{{}, path};
  if (!r.path.empty()) {
    to_path = {r.path, {}};
  } else if (!r.prefix.empty()) {
    to_path = routing::replace_matched_prefix(route, path, r.prefix);
  }
  routing::ArenaWriter out(arena);
  if (!to_host.empty()) {
    out.append(to_scheme);
    out.append("://");
    out.append(to_host);
  }
  append_path_and_query(out, to_path, to_query);
  return out.text();
}

}  // namespace ringress::http
