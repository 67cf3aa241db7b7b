#include "http/regex_group.h"

#include <algorithm>

#include "http/route_regex.h"

namespace ringress::http::routing {
namespace {

// An RE2::Set's program and automaton hold every pattern at once: RE2's default budget (8 MiB),
// and 2 KiB more per pattern for large sets. It caps a lazily grown cache, it is not allocated
// up front; a set that runs out of it anyway answers "unknown" and its routes are tried one by
// one (RegexGroup::set_matches).
RE2::Options set_options(std::size_t patterns) {
  RE2::Options options = regex_options();
  options.set_max_mem(std::max<int64_t>(int64_t{8} << 20, int64_t(patterns) * (2 << 10)));
  return options;
}

}  // namespace

RegexGroup::RegexGroup(std::vector<uint32_t> routes, const RouteMatcher* matchers)
    : routes_(std::move(routes)), matchers_(matchers) {
  nodes_.reserve(2 * (routes_.size() / kLeafSize) + 1);
  build(0, static_cast<uint32_t>(routes_.size()));
}

uint32_t RegexGroup::build(uint32_t begin, uint32_t end) {
  const auto index = static_cast<uint32_t>(nodes_.size());
  nodes_.push_back(Node{begin, end});
  if (end - begin <= kLeafSize) return index;
  auto set = std::make_unique<RE2::Set>(set_options(end - begin), RE2::ANCHOR_BOTH);
  for (uint32_t i = begin; i < end && set; ++i) {
    std::string_view pattern = matchers_[routes_[i]].path();
    if (set->Add(re2::StringPiece(pattern.data(), pattern.size()), nullptr) < 0) set.reset();
  }
  if (set && !set->Compile()) set.reset();
  nodes_[index].set = std::move(set);
  const uint32_t mid = begin + (end - begin) / 2;
  const uint32_t left = build(begin, mid);
  const uint32_t right = build(mid, end);
  nodes_[index].left = left;
  nodes_[index].right = right;
  return index;
}

RegexGroup::SetAnswer RegexGroup::set_matches(const Node& node, std::string_view path) const {
  if (!node.set) return SetAnswer::unknown;
  RE2::Set::ErrorInfo error;
  if (node.set->Match(re2::StringPiece(path.data(), path.size()), nullptr, &error)) {
    return SetAnswer::yes;
  }
  return error.kind == RE2::Set::kNoError ? SetAnswer::no : SetAnswer::unknown;
}

uint32_t RegexGroup::find(const RouteRequest& req, uint32_t bound) const {
  bool set_said_no = false;
  return search(0, req, bound, false, set_said_no);
}

uint32_t RegexGroup::search(uint32_t index, const RouteRequest& req, uint32_t bound,
                            bool known_match, bool& set_said_no) const {
  set_said_no = false;
  const Node& node = nodes_[index];
  if (routes_[node.begin] >= bound) return npos;
  if (node.end - node.begin <= kLeafSize) {
    for (uint32_t i = node.begin; i < node.end && routes_[i] < bound; ++i) {
      const RouteMatcher& m = matchers_[routes_[i]];
      if (full_match(*m.path_regex(), req.path) && m.conditions_match(req)) return routes_[i];
    }
    return npos;
  }
  if (!known_match) {
    SetAnswer answer = set_matches(node, req.path);
    if (answer == SetAnswer::no) {
      set_said_no = true;
      return npos;
    }
    known_match = answer == SetAnswer::yes;
  }
  bool left_said_no = false;
  uint32_t found = search(node.left, req, bound, false, left_said_no);
  if (found != npos) return found;
  // The node's patterns are the union of its children's: when it matches and the left one does
  // not, the right one does.
  bool ignored = false;
  return search(node.right, req, bound, known_match && left_said_no, ignored);
}

}  // namespace ringress::http::routing
