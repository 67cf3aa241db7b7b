// RegexGroup: regex routes of one virtual host that the path index cannot tell apart (they share
// the same literal prefix, often none), searched for the lowest-numbered route whose regex
// matches the whole path and whose other conditions hold.
//
// A small group is tried route by route. A larger one is a binary tree over its routes (in route
// order) whose inner nodes hold an RE2::Set of all their routes' patterns: a node whose set does
// not match is skipped whole, so finding the first match costs about one set match per level
// (log2(routes / leaf size)) plus the few single regexes of one leaf. The sets are only asked
// whether anything matches, never which (that form of RE2::Set::Match allocates a result set on
// every call); a set that cannot answer (its DFA ran out of memory) counts as "may match", so
// the answer is always that of trying every route in order.
#pragma once

#include <re2/set.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "http/route_matcher.h"
#include "http/route_request.h"

namespace ringress::http::routing {

class RegexGroup {
 public:
  static constexpr uint32_t npos = UINT32_MAX;
  // Routes per leaf: tried one regex at a time.
  static constexpr std::size_t kLeafSize = 8;

  // `routes`: route numbers into `matchers` (all regex routes), ascending. `matchers` must
  // outlive the group.
  RegexGroup(std::vector<uint32_t> routes, const RouteMatcher* matchers);

  uint32_t first_route() const { return routes_.front(); }
  // The lowest route below `bound` whose path regex and conditions match, or npos.
  uint32_t find(const RouteRequest& req, uint32_t bound) const;

 private:
  struct Node {
    uint32_t begin, end;              // routes_[begin, end)
    uint32_t left = 0, right = 0;     // child nodes (inner nodes only)
    std::unique_ptr<RE2::Set> set{};  // inner nodes; nullptr if it could not be compiled
  };
  enum class SetAnswer { no, yes, unknown };

  uint32_t build(uint32_t begin, uint32_t end);
  SetAnswer set_matches(const Node& node, std::string_view path) const;
  // `known_match`: the node's set is already known to match (the parent's did, the sibling's
  // did not). `set_said_no` is set when the node was skipped because its set did not match.
  uint32_t search(uint32_t node, const RouteRequest& req, uint32_t bound, bool known_match,
                  bool& set_said_no) const;

  std::vector<uint32_t> routes_;
  const RouteMatcher* matchers_;
  std::vector<Node> nodes_;  // nodes_[0] is the root
};

}  // namespace ringress::http::routing
