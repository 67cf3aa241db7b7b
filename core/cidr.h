// CidrRange: an IPv4 or IPv6 prefix ("10.0.0.0/8", "::1/128") and membership tests, for
// trusted-proxy lists. Parsing happens at start; contains() is a few byte compares.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/socket_address.h"

namespace ringress::core {

class CidrRange {
 public:
  // "a.b.c.d/n" or "v6/n"; a bare address means the host (/32 or /128).
  static std::optional<CidrRange> parse(std::string_view text);
  bool contains(const SocketAddress& address) const;

 private:
  int family_ = 0;
  uint8_t bytes_[16] = {};
  unsigned prefix_ = 0;
};

}  // namespace ringress::core
