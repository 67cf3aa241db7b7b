// PathTrie: a set of strings (route paths and literal prefixes) in a compressed byte trie, built
// once and then only read. walk() follows a request path from the root and visits every node
// whose string is a prefix of it, shortest first, so the cost of a walk depends on the path, not
// on how many strings the trie holds: at most one node per byte of the path, one child lookup
// (binary search over first bytes) and one label compare per node.
//
// Node 0 is the root (the empty string). Every string given to the constructor has a node of its
// own (node_of), so callers keep their data per node in arrays indexed by node number.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace ringress::http::routing {

class PathTrie {
 public:
  static constexpr uint32_t npos = UINT32_MAX;

  PathTrie() : PathTrie(std::vector<std::string_view>{}) {}
  // Duplicates are allowed (they share a node). The strings are copied.
  explicit PathTrie(const std::vector<std::string_view>& keys);

  // The node of keys[i] as given to the constructor.
  uint32_t node_of(std::size_t key) const { return key_nodes_[key]; }
  std::size_t node_count() const { return nodes_.size(); }

  // Calls visit(node, depth) for each node whose string is path[0, depth), from the root down;
  // stops when `visit` returns false or the path leaves the trie.
  template <class Visit>
  void walk(std::string_view path, Visit&& visit) const {
    uint32_t n = 0;
    std::size_t depth = 0;
    for (;;) {
      if (!visit(n, depth) || depth == path.size()) return;
      uint32_t c = child(nodes_[n], static_cast<unsigned char>(path[depth]));
      if (c == npos) return;
      const Node& next = nodes_[c];
      if (path.size() - depth < next.label_size ||
          std::memcmp(path.data() + depth, labels_.data() + next.label_offset, next.label_size) !=
              0) {
        return;
      }
      depth += next.label_size;
      n = c;
    }
  }

 private:
  struct Node {
    uint32_t label_offset = 0;  // the bytes from the parent's string to this one, in labels_
    uint32_t label_size = 0;
    uint32_t first_child = 0;  // children are nodes_[first_child, first_child + child_count)
    uint32_t child_count = 0;
  };

  // The child of `node` whose label starts with `byte`, or npos.
  uint32_t child(const Node& node, unsigned char byte) const {
    const unsigned char* first = first_bytes_.data() + node.first_child;
    uint32_t lo = 0, hi = node.child_count;
    while (lo < hi) {
      uint32_t mid = (lo + hi) / 2;
      if (first[mid] < byte) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < node.child_count && first[lo] == byte ? node.first_child + lo : npos;
  }

  void fill(uint32_t node, const std::vector<std::string_view>& sorted,
            const std::vector<uint32_t>& order, std::size_t lo, std::size_t hi, std::size_t depth);

  std::vector<Node> nodes_;
  std::vector<unsigned char> first_bytes_;  // per node: the first byte of its label (sorted
                                            // among siblings)
  std::string labels_;
  std::vector<uint32_t> key_nodes_;
};

}  // namespace ringress::http::routing
