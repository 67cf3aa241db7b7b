// DomainMatcher: picks a virtual host by the request's Host, compiled once from the config's
// domain lists. Precedence (Envoy's): an exact domain, then the longest "*suffix" wildcard, then
// the longest "prefix*" wildcard, then "*". Lookups are case-insensitive (ASCII), ignore the
// port and never allocate: the exact domains, the suffix wildcards and the prefix wildcards are
// three hash tables with a case-folding hash and equality, searched with views of the Host. The
// wildcard tables are probed, longest first, only with the parts of the Host that could be in
// them: of a length some wildcard has, and starting (suffix) or ending (prefix) with a byte some
// wildcard does (for "*.example.com" forms, a dot). So the cost is a few hash probes, however
// many domains there are.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ringress::http::routing {

constexpr char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }
bool equals_ignore_case(std::string_view a, std::string_view b);

// "host:port" -> "host"; "[v6]:port" -> "[v6]". A suffix that is not ":digits" stays.
std::string_view strip_port(std::string_view host);
// "example.com." names the same host as "example.com" (the root's empty label, RFC 1034 3.1),
// and nginx and most servers read it so: a virtual host must not be walked around with a
// trailing dot, in a Host header or in a configured domain.
std::string_view without_root_dot(std::string_view name);

class DomainMatcher {
 public:
  static constexpr uint32_t npos = UINT32_MAX;

  // Registers `domain` for virtual host `index`. When two hosts list the same domain, the one
  // added first keeps it (conf rejects that; this only makes the outcome deterministic).
  void add(std::string_view domain, uint32_t index);
  // The virtual host for a Host header value as received, or npos.
  uint32_t find(std::string_view host) const;

 private:
  struct FoldHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const;
  };
  struct FoldEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const {
      return equals_ignore_case(a, b);
    }
  };
  using Table = std::unordered_map<std::string, uint32_t, FoldHash, FoldEqual>;
  // The fixed parts of one kind of wildcard.
  struct Wildcards {
    Table table;
    std::vector<std::size_t> lengths;  // of the fixed parts, each once, longest first
    std::bitset<256> edges;            // lowercased first (suffixes) or last (prefixes) bytes
    void add(std::string_view fixed, char edge, uint32_t index);
    bool has_edge(char c) const { return edges[static_cast<unsigned char>(lower_ascii(c))]; }
    // The lengths shorter than `host_size`, longest first (a wildcard stands for at least one
    // character).
    std::span<const std::size_t> shorter_than(std::size_t host_size) const;
  };

  Table exact_;
  Wildcards suffixes_;   // "*.example.com" -> ".example.com"
  Wildcards prefixes_;   // "api.*" -> "api."
  uint32_t any_ = npos;  // "*"
};

}  // namespace ringress::http::routing
