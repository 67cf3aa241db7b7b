// The header fields the parser and the proxy-header rewriting act on, recognized in one step:
// a switch on the name's length, then at most two case-insensitive compares (each stopping at
// its first differing byte), instead of one compare per field name the caller knows (most names of
// a real head match no length here).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ringress::http {

enum class KnownField : uint8_t {
  other,
  connection,
  content_length,
  expect,
  host,
  keep_alive,
  proxy_connection,
  te,
  trailer,
  transfer_encoding,
  upgrade,
};

// `name` is `lower` (all lower case, of the same length) in any case.
inline bool same_name(std::string_view name, std::string_view lower) {
  for (std::size_t i = 0; i < lower.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    if (c != lower[i]) return false;
  }
  return true;
}

inline KnownField known_field(std::string_view name) {
  switch (name.size()) {
    case 2:
      return same_name(name, "te") ? KnownField::te : KnownField::other;
    case 4:
      return same_name(name, "host") ? KnownField::host : KnownField::other;
    case 6:
      return same_name(name, "expect") ? KnownField::expect : KnownField::other;
    case 7:
      if (same_name(name, "upgrade")) return KnownField::upgrade;
      return same_name(name, "trailer") ? KnownField::trailer : KnownField::other;
    case 10:
      if (same_name(name, "connection")) return KnownField::connection;
      return same_name(name, "keep-alive") ? KnownField::keep_alive : KnownField::other;
    case 14:
      return same_name(name, "content-length") ? KnownField::content_length : KnownField::other;
    case 16:
      return same_name(name, "proxy-connection") ? KnownField::proxy_connection : KnownField::other;
    case 17:
      return same_name(name, "transfer-encoding") ? KnownField::transfer_encoding
                                                  : KnownField::other;
    default:
      return KnownField::other;
  }
}

}  // namespace ringress::http
