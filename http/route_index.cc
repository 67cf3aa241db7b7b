#include "http/route_index.h"

#include <algorithm>
#include <string>
#include <utility>

#include "http/route_regex.h"

namespace ringress::http::routing {

RouteIndex::RouteIndex(std::span<const RouteMatcher> routes) : matchers_(routes.data()) {
  // The string each route is filed under. The trie copies them, so the regexes' literal
  // prefixes only need to live until it is built.
  std::vector<std::string> literal_prefixes(routes.size());
  std::vector<std::string_view> keys(routes.size());
  for (std::size_t i = 0; i < routes.size(); ++i) {
    if (routes[i].path_kind() == conf::PathMatch::regex) {
      literal_prefixes[i] = literal_prefix(std::string(routes[i].path()));
      keys[i] = literal_prefixes[i];
    } else {
      keys[i] = routes[i].path();
    }
  }
  trie_ = PathTrie(keys);

  // Routes by node, in route order within a node.
  std::vector<std::pair<uint32_t, uint32_t>> by_node;  // (node, route)
  by_node.reserve(routes.size());
  for (std::size_t i = 0; i < routes.size(); ++i) {
    by_node.emplace_back(trie_.node_of(i), static_cast<uint32_t>(i));
  }
  std::sort(by_node.begin(), by_node.end());

  entries_.reserve(routes.size());
  node_entries_.reserve(trie_.node_count() + 1);
  std::size_t next = 0;
  for (uint32_t node = 0; node < trie_.node_count(); ++node) {
    node_entries_.push_back(static_cast<uint32_t>(entries_.size()));
    std::size_t end = next;
    while (end < by_node.size() && by_node[end].first == node) ++end;
    std::vector<uint32_t> regexes;
    for (std::size_t i = next; i < end; ++i) {
      if (routes[by_node[i].second].path_kind() == conf::PathMatch::regex) {
        regexes.push_back(by_node[i].second);
      }
    }
    const bool grouped = regexes.size() > kMaxInlineRegexes;
    if (grouped) {
      // The group's entry sits where its lowest route would, so the entries stay in route order.
      const uint32_t first = regexes.front();
      groups_.emplace_back(std::move(regexes), matchers_);
      for (std::size_t i = next; i < end; ++i) {
        const uint32_t route = by_node[i].second;
        if (route == first) {
          entries_.push_back({route, Kind::group, static_cast<uint32_t>(groups_.size() - 1)});
        } else if (routes[route].path_kind() != conf::PathMatch::regex) {
          entries_.push_back({route, kind_of(routes[route].path_kind())});
        }
      }
    } else {
      for (std::size_t i = next; i < end; ++i) {
        const uint32_t route = by_node[i].second;
        entries_.push_back({route, kind_of(routes[route].path_kind())});
      }
    }
    next = end;
  }
  node_entries_.push_back(static_cast<uint32_t>(entries_.size()));
}

uint32_t RouteIndex::find(const RouteRequest& req) const {
  const std::string_view path = req.path;
  uint32_t best = npos;
  trie_.walk(path, [&](uint32_t node, std::size_t depth) {
    for (uint32_t e = node_entries_[node]; e < node_entries_[node + 1]; ++e) {
      const Entry& entry = entries_[e];
      if (entry.route >= best) break;
      bool path_holds = false;
      switch (entry.kind) {
        case Kind::prefix:
          path_holds = true;
          break;
        case Kind::path_prefix:
          path_holds = depth == path.size() || path[depth] == '/';
          break;
        case Kind::exact:
          path_holds = depth == path.size();
          break;
        case Kind::regex:
          path_holds = full_match(*matchers_[entry.route].path_regex(), path);
          break;
        case Kind::group:
          // Its routes are not all below the next entry: keep going with the new bound.
          best = std::min(best, groups_[entry.group].find(req, best));
          continue;
      }
      if (path_holds && matchers_[entry.route].conditions_match(req)) {
        best = entry.route;
        break;  // the node's later entries are numbered higher
      }
    }
    return best != 0;  // nothing deeper can come before route 0
  });
  return best;
}

RouteIndex::Kind RouteIndex::kind_of(conf::PathMatch match) {
  switch (match) {
    case conf::PathMatch::prefix:
      return Kind::prefix;
    case conf::PathMatch::path_prefix:
      return Kind::path_prefix;
    case conf::PathMatch::exact:
      return Kind::exact;
    case conf::PathMatch::regex:
      return Kind::regex;
  }
  return Kind::regex;
}

}  // namespace ringress::http::routing
