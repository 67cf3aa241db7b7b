// RouteMatcher: the match half of one conf::Route (path, methods, headers, query), compiled at
// config load into the form a request is checked against: views into the config's strings, RE2
// objects compiled once, path_prefix's trailing slash trimmed. matches() neither allocates nor
// parses anything but the query string it is given. The route index (route_index.h) finds the
// routes whose path can match and asks only those for the rest (conditions_match).
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string_view>
#include <vector>

#include "conf/http_config.h"
#include "http/route_request.h"

namespace ringress::http::routing {

class RouteMatcher {
 public:
  // Views into `route` are kept: it must outlive the matcher. Regexes go to `regexes`, which
  // must outlive it too. `what` names the route in errors. Throws std::invalid_argument.
  RouteMatcher(const conf::Route& route, std::vector<std::unique_ptr<RE2>>& regexes,
               std::string_view what);

  // The whole route: path_matches() && conditions_match().
  bool matches(const RouteRequest& req) const;
  bool path_matches(std::string_view path) const;
  // Everything but the path: methods, headers and query.
  bool conditions_match(const RouteRequest& req) const;

  conf::PathMatch path_kind() const { return path_kind_; }
  // The path as compared (path_prefix: without trailing slashes); the pattern for a regex.
  std::string_view path() const { return path_; }
  const RE2* path_regex() const { return path_re_; }  // PathMatch::regex only

 private:
  struct ValueCheck {
    std::string_view name;
    conf::MatchKind kind;
    std::string_view value;
    const RE2* re;  // for MatchKind::regex
    bool invert;    // headers only
  };
  bool method_matches(std::string_view method) const;
  bool headers_match(const HeaderMap* headers) const;
  bool query_matches(std::string_view query) const;

  conf::PathMatch path_kind_;
  std::string_view path_;         // path_prefix: without trailing '/'
  const RE2* path_re_ = nullptr;  // PathMatch::regex
  const std::vector<std::string>* methods_;
  std::vector<ValueCheck> headers_;
  std::vector<ValueCheck> query_;
};

// The first value of header `name` (any case), or nullptr.
const std::string_view* first_header(const HeaderMap* headers, std::string_view name);
// The value of the first `name` parameter in `query` ("a=1&b&c=3": "b" has the value ""), or
// nullptr. No percent-decoding: names and values are compared as they arrive.
struct QueryValue {
  bool found = false;
  std::string_view value;
};
QueryValue find_query_param(std::string_view query, std::string_view name);

// path_prefix's path as compared: without trailing slashes ("/api/" -> "/api", "/" -> "").
std::string_view trim_trailing_slashes(std::string_view path);

}  // namespace ringress::http::routing
