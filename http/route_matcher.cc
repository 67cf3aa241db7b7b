#include "http/route_matcher.h"

#include <string>

#include "http/domain_matcher.h"
#include "http/header_map.h"
#include "http/route_regex.h"

namespace ringress::http::routing {
namespace {

bool value_matches(conf::MatchKind kind, std::string_view expected, const RE2* re,
                   std::string_view actual) {
  switch (kind) {
    case conf::MatchKind::exact:
      return actual == expected;
    case conf::MatchKind::prefix:
      return actual.starts_with(expected);
    case conf::MatchKind::present:
      return true;
    case conf::MatchKind::regex:
      return full_match(*re, actual);
  }
  return false;
}

}  // namespace

std::string_view trim_trailing_slashes(std::string_view path) {
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path;
}

const std::string_view* first_header(const HeaderMap* headers, std::string_view name) {
  if (headers == nullptr) return nullptr;
  for (const HeaderField& f : *headers) {
    if (equals_ignore_case(f.name, name)) return &f.value;
  }
  return nullptr;
}

QueryValue find_query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (param.empty()) continue;
    std::size_t eq = param.find('=');
    if (param.substr(0, eq) == name) {
      return {true, eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1)};
    }
  }
  return {};
}

RouteMatcher::RouteMatcher(const conf::Route& route, std::vector<std::unique_ptr<RE2>>& regexes,
                           std::string_view what)
    : path_kind_(route.path_match), path_(route.path), methods_(&route.methods) {
  auto compile = [&](const std::string& pattern, std::string_view part) {
    regexes.push_back(compile_regex(pattern, std::string(what) + " " + std::string(part)));
    return regexes.back().get();
  };
  if (path_kind_ == conf::PathMatch::path_prefix) path_ = trim_trailing_slashes(path_);
  if (path_kind_ == conf::PathMatch::regex) path_re_ = compile(route.path, "path regex");
  for (const conf::HeaderMatcher& h : route.headers) {
    const RE2* re = nullptr;
    if (h.kind == conf::MatchKind::regex) re = compile(h.value, "header '" + h.name + "' regex");
    headers_.push_back({h.name, h.kind, h.value, re, h.invert});
  }
  for (const conf::QueryMatcher& q : route.query) {
    const RE2* re = nullptr;
    if (q.kind == conf::MatchKind::regex) re = compile(q.value, "query '" + q.name + "' regex");
    query_.push_back({q.name, q.kind, q.value, re, false});
  }
}

bool RouteMatcher::matches(const RouteRequest& req) const {
  return path_matches(req.path) && conditions_match(req);
}

bool RouteMatcher::conditions_match(const RouteRequest& req) const {
  return method_matches(req.method) && headers_match(req.headers) && query_matches(req.query);
}

bool RouteMatcher::path_matches(std::string_view path) const {
  switch (path_kind_) {
    case conf::PathMatch::prefix:
      return path.starts_with(path_);
    case conf::PathMatch::exact:
      return path == path_;
    case conf::PathMatch::path_prefix:
      return path.starts_with(path_) && (path.size() == path_.size() || path[path_.size()] == '/');
    case conf::PathMatch::regex:
      return full_match(*path_re_, path);
  }
  return false;
}

bool RouteMatcher::method_matches(std::string_view method) const {
  if (methods_->empty()) return true;
  for (const std::string& m : *methods_) {
    if (m == method) return true;
  }
  return false;
}

bool RouteMatcher::headers_match(const HeaderMap* headers) const {
  for (const ValueCheck& c : headers_) {
    const std::string_view* value = first_header(headers, c.name);
    bool ok = value != nullptr && value_matches(c.kind, c.value, c.re, *value);
    if (ok == c.invert) return false;
  }
  return true;
}

bool RouteMatcher::query_matches(std::string_view query) const {
  for (const ValueCheck& c : query_) {
    QueryValue param = find_query_param(query, c.name);
    if (!param.found || !value_matches(c.kind, c.value, c.re, param.value)) return false;
  }
  return true;
}

}  // namespace ringress::http::routing
