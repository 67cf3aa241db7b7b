#include "lb/hash.h"

namespace ringress::lb {

namespace {

// Up to 8 bytes as a little-endian word, on any host byte order.
uint64_t load_le(const unsigned char* p, std::size_t n) {
  uint64_t w = 0;
  for (std::size_t i = 0; i < n; ++i) w |= uint64_t{p[i]} << (8 * i);
  return w;
}

}  // namespace

uint64_t hash64(std::string_view bytes, uint64_t seed) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  uint64_t h = mix64(seed + kGoldenGamma * (n + 1));
  for (; n >= 8; n -= 8, p += 8) h = mix64(h ^ load_le(p, 8));
  if (n > 0) h = mix64(h ^ load_le(p, n));
  return mix64(h);
}

}  // namespace ringress::lb
