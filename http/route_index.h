// RouteIndex: one virtual host's routes compiled so that finding the first route that matches a
// request costs about the same with 10 routes or 10 000.
//
// Every route is filed under a string its path must start with, in a PathTrie: prefix,
// path_prefix and exact routes under their path, regex routes under their pattern's literal
// prefix (route_regex.h). Each trie node keeps its routes in route order. A request walks the
// trie along its path; each node on the way yields the routes whose path condition can hold
// there (prefix: always; path_prefix: at the end of the path or before a '/'; exact: at the end
// of the path; regex: when the regex matches the whole path), and of those that also pass their
// methods, headers and query the lowest-numbered one wins: exactly the route the first-match
// walk over the list would take (tests/http_router/route_index_property_test.cc checks this).
// Routes numbered above the best one found so far are not looked at. A node with more than a
// few regex routes keeps them in a RegexGroup (one RE2::Set tree) instead of trying each.
//
// find() never allocates. The index points at the matchers it was built from: they must outlive
// it and stay where they are.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "http/path_trie.h"
#include "http/regex_group.h"
#include "http/route_matcher.h"
#include "http/route_request.h"

namespace ringress::http::routing {

class RouteIndex {
 public:
  static constexpr uint32_t npos = UINT32_MAX;
  // Regex routes per trie node tried one by one; a node with more gets a RegexGroup.
  static constexpr std::size_t kMaxInlineRegexes = 8;

  // `routes`: the virtual host's routes in config order.
  explicit RouteIndex(std::span<const RouteMatcher> routes);

  // The number of the first route that matches `req`, or npos.
  uint32_t find(const RouteRequest& req) const;

 private:
  enum class Kind : uint8_t { prefix, path_prefix, exact, regex, group };
  struct Entry {
    uint32_t route;  // for a group: its lowest route
    Kind kind;
    uint32_t group = 0;  // index into groups_ for Kind::group
  };
  static Kind kind_of(conf::PathMatch match);

  const RouteMatcher* matchers_;
  PathTrie trie_;
  std::vector<uint32_t> node_entries_;  // node n's entries: entries_[node_entries_[n],
                                        // node_entries_[n + 1]), by route number
  std::vector<Entry> entries_;
  std::vector<RegexGroup> groups_;
};

}  // namespace ringress::http::routing
