// A deterministic byte stream: byte i depends only on (seed, i). Senders generate it, receivers
// regenerate it and compare, so a transfer of any size is checked byte by byte (position and
// content, not just a sum) without keeping a copy of what was sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace ringress::test {

class Pattern {
 public:
  explicit Pattern(uint64_t seed) : seed_(seed) {}

  // Writes the next `size` bytes of the stream to `out` and advances.
  void fill(uint8_t* out, size_t size);
  // Compares `data` with the next `size` bytes and advances. The first differing byte is kept
  // in first_mismatch(); returns false from then on.
  bool check(const uint8_t* data, size_t size);

  uint64_t offset() const { return offset_; }
  // Stream offset of the first byte that did not match, if any.
  std::optional<uint64_t> first_mismatch() const { return mismatch_; }

 private:
  uint64_t seed_;
  uint64_t offset_ = 0;
  std::optional<uint64_t> mismatch_;
};

}  // namespace ringress::test
