// Random: the per-worker generator of the randomised policies (splitmix64: eight bytes of state,
// a few cycles per draw, good statistical quality). Seeded by the caller, so a test can replay a
// sequence and two workers can differ. Not for anything secret.
#pragma once

#include <cstdint>

#include "lb/hash.h"

namespace ringress::lb {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    state_ += kGoldenGamma;
    return mix64(state_);
  }
  // Uniform in [0, n) for n > 0, by multiply-and-shift (bias below n / 2^64, no division).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

}  // namespace ringress::lb
