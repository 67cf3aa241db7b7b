#include "core/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <string>

namespace ringress::core {

std::optional<CidrRange> CidrRange::parse(std::string_view text) {
  CidrRange r;
  auto slash = text.find('/');
  std::string addr(text.substr(0, slash));
  if (inet_pton(AF_INET, addr.c_str(), r.bytes_) == 1) {
    r.family_ = AF_INET;
    r.prefix_ = 32;
  } else if (inet_pton(AF_INET6, addr.c_str(), r.bytes_) == 1) {
    r.family_ = AF_INET6;
    r.prefix_ = 128;
  } else {
    return std::nullopt;
  }
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    unsigned n = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || n > r.prefix_)
      return std::nullopt;
    r.prefix_ = n;
  }
  return r;
}

bool CidrRange::contains(const SocketAddress& address) const {
  const uint8_t* bytes = nullptr;
  uint8_t mapped[16];
  if (address.family() == AF_INET) {
    bytes = reinterpret_cast<const uint8_t*>(
        &reinterpret_cast<const sockaddr_in*>(address.get())->sin_addr);
    if (family_ == AF_INET6) {  // compare as ::ffff:a.b.c.d
      std::memset(mapped, 0, 10);
      mapped[10] = mapped[11] = 0xff;
      std::memcpy(mapped + 12, bytes, 4);
      bytes = mapped;
    } else if (family_ != AF_INET) {
      return false;
    }
  } else if (address.family() == AF_INET6) {
    if (family_ != AF_INET6) return false;
    bytes = reinterpret_cast<const uint8_t*>(
        &reinterpret_cast<const sockaddr_in6*>(address.get())->sin6_addr);
  } else {
    return false;
  }
  unsigned full = prefix_ / 8, rest = prefix_ % 8;
  if (std::memcmp(bytes, bytes_, full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (bytes[full] & mask) == (bytes_[full] & mask);
}

}  // namespace ringress::core
