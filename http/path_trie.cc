#include "http/path_trie.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace ringress::http::routing {
namespace {

std::size_t common_prefix(std::string_view a, std::string_view b) {
  auto [at_a, at_b] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return static_cast<std::size_t>(at_a - a.begin());
}

}  // namespace

PathTrie::PathTrie(const std::vector<std::string_view>& keys) : key_nodes_(keys.size(), 0) {
  std::size_t total = 0;
  for (std::string_view k : keys) total += k.size();
  if (total >= UINT32_MAX) throw std::length_error("route paths too long for the path index");
  std::vector<uint32_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
  std::vector<std::string_view> sorted;
  sorted.reserve(keys.size());
  for (uint32_t i : order) sorted.push_back(keys[i]);
  nodes_.push_back(Node{});
  first_bytes_.push_back(0);
  fill(0, sorted, order, 0, sorted.size(), 0);
  nodes_.shrink_to_fit();
  first_bytes_.shrink_to_fit();
  labels_.shrink_to_fit();
}

// sorted[lo, hi) all start with the string of `node`, which is `depth` bytes long. The shortest
// come first, so the ones equal to it are at the front; the rest are grouped by their next byte,
// and each group becomes a child labelled with the group's common part.
void PathTrie::fill(uint32_t node, const std::vector<std::string_view>& sorted,
                    const std::vector<uint32_t>& order, std::size_t lo, std::size_t hi,
                    std::size_t depth) {
  while (lo < hi && sorted[lo].size() == depth) key_nodes_[order[lo++]] = node;
  struct Group {
    std::size_t lo, hi, depth;
  };
  std::vector<Group> groups;
  for (std::size_t a = lo; a < hi;) {
    char byte = sorted[a][depth];
    std::size_t b = a + 1;
    while (b < hi && sorted[b][depth] == byte) ++b;
    groups.push_back({a, b, common_prefix(sorted[a], sorted[b - 1])});
    a = b;
  }
  const auto first_child = static_cast<uint32_t>(nodes_.size());
  nodes_[node].first_child = first_child;
  nodes_[node].child_count = static_cast<uint32_t>(groups.size());
  for (const Group& g : groups) {
    std::string_view label = sorted[g.lo].substr(depth, g.depth - depth);
    nodes_.push_back(
        Node{static_cast<uint32_t>(labels_.size()), static_cast<uint32_t>(label.size()), 0, 0});
    first_bytes_.push_back(static_cast<unsigned char>(label.front()));
    labels_.append(label);
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    fill(first_child + static_cast<uint32_t>(i), sorted, order, groups[i].lo, groups[i].hi,
         groups[i].depth);
  }
}

}  // namespace ringress::http::routing
