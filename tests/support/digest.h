// A 64-bit FNV-1a digest that can be fed in pieces: the same bytes give the same value however
// they were split, so a sender and a receiver that see different read sizes still agree.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringress::test {

class Digest {
 public:
  void update(const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    uint64_t h = value_;
    for (size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
    value_ = h;
  }
  uint64_t value() const { return value_; }

 private:
  uint64_t value_ = 0xcbf29ce484222325ULL;
};

}  // namespace ringress::test
