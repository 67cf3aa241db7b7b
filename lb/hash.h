// hash64: a stable 64-bit hash of bytes, for consistent hashing (ring_hash points, maglev
// permutations, request hash keys). Stable means the same value on every run, build and
// machine, so a key maps to the same host after a restart and on every worker; std::hash
// promises none of that. mix64 is splitmix64's finalizer, a bijection with full avalanche.
#pragma once

#include <cstdint>
#include <string_view>

namespace ringress::lb {

inline constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ull;  // 2^64 / golden ratio, odd

constexpr uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// Hashes `bytes` eight at a time (little-endian words), each word folded in with mix64; the
// length and `seed` start the state, so "a" and "a\0" differ and seeds give independent hashes.
uint64_t hash64(std::string_view bytes, uint64_t seed = 0);

}  // namespace ringress::lb
