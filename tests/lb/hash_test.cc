// hash64 is stable (fixed values: a ring must not change between builds or machines) and
// spreads its bits.
#include "lb/hash.h"

#include <gtest/gtest.h>

#include <bit>
#include <set>
#include <string>

namespace ringress::lb {
namespace {

TEST(Hash64, IsStable) {
  // Pinned: a change here reshuffles every ring and maglev table, moving every sticky session.
  EXPECT_EQ(hash64(""), hash64("", 0));
  EXPECT_EQ(hash64("10.0.0.1:80"), hash64(std::string("10.0.0.1:80")));
  EXPECT_EQ(hash64("10.0.0.1:80"), 13455558651460292564u);
  EXPECT_EQ(hash64("user-42"), 5789015675614608944u);
}

TEST(Hash64, DiffersByContentLengthAndSeed) {
  EXPECT_NE(hash64("a"), hash64(std::string("a\0", 2)));
  EXPECT_NE(hash64("abcdefgh"), hash64("abcdefgh", 1));
  std::set<uint64_t> seen;
  for (int i = 0; i < 100000; ++i) seen.insert(hash64("10.0.0.1:80_" + std::to_string(i)));
  EXPECT_EQ(seen.size(), 100000u);
}

TEST(Hash64, OneBitFlipsAboutHalfTheOutput) {
  // Avalanche: flipping any input bit flips ~32 of the 64 output bits on average.
  std::string text = "10.0.0.17:8080_123";
  double total = 0;
  int flips = 0;
  for (std::size_t byte = 0; byte < text.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string other = text;
      other[byte] = static_cast<char>(other[byte] ^ (1 << bit));
      total += std::popcount(hash64(text) ^ hash64(other));
      ++flips;
    }
  }
  EXPECT_NEAR(total / flips, 32.0, 2.0);
}

}  // namespace
}  // namespace ringress::lb
