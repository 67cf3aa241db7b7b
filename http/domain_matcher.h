// DomainMatcher: picks a virtual host by the request's Host, compiled once from the config's
// domain lists. Precedence (Envoy's): an exact domain, then the longest "*suffix" wildcard, then
// the longest "prefix*" wildcard, then "*". Lookups are case-insensitive (ASCII), ignore the
// port and never allocate: the exact domains, and the wildcards of each length, are hash tables
// with a case-folding hash and equality, searched with views of the Host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ringress::http::routing {

constexpr char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }
bool equals_ignore_case(std::string_view a, std::string_view b);

// "host:port" -> "host"; "[v6]:port" -> "[v6]". A suffix that is not ":digits" stays.
std::string_view strip_port(std::string_view host);

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
  // Wildcards whose fixed part has one length; buckets are kept longest first.
  struct Bucket {
    std::size_t length;
    Table table;
  };
  static void add_wildcard(std::vector<Bucket>& buckets, std::string_view fixed, uint32_t index);

  Table exact_;
  std::vector<Bucket> suffixes_;  // "*.example.com" -> ".example.com"
  std::vector<Bucket> prefixes_;  // "api.*" -> "api."
  uint32_t any_ = npos;           // "*"
};

}  // namespace ringress::http::routing
