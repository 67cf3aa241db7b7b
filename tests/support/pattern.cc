#include "tests/support/pattern.h"

#include <algorithm>
#include <cstring>

namespace ringress::test {

namespace {

// splitmix64: cheap and well mixed, so shifted or swapped chunks never look alike.
uint64_t word_at(uint64_t seed, uint64_t index) {
  uint64_t z = seed * 0x9e3779b97f4a7c15ULL + index + 1;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Writes bytes [offset, offset + size) of the stream for `seed` to `out`.
void generate(uint64_t seed, uint64_t offset, uint8_t* out, size_t size) {
  while (size > 0) {
    uint64_t word = word_at(seed, offset / 8);
    size_t skip = offset % 8;
    size_t n = std::min<size_t>(8 - skip, size);
    std::memcpy(out, reinterpret_cast<const uint8_t*>(&word) + skip, n);
    out += n;
    offset += n;
    size -= n;
  }
}

}  // namespace

void Pattern::fill(uint8_t* out, size_t size) {
  generate(seed_, offset_, out, size);
  offset_ += size;
}

bool Pattern::check(const uint8_t* data, size_t size) {
  uint8_t expected[16384];
  while (size > 0) {
    size_t n = std::min(size, sizeof expected);
    generate(seed_, offset_, expected, n);
    if (!mismatch_ && std::memcmp(expected, data, n) != 0) {
      size_t i = 0;
      while (expected[i] == data[i]) ++i;
      mismatch_ = offset_ + i;
    }
    offset_ += n;
    data += n;
    size -= n;
  }
  return !mismatch_;
}

}  // namespace ringress::test
