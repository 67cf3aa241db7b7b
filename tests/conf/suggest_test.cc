// Typo hints: the distance they are based on and when they are offered.
#include "conf/suggest.h"

#include <gtest/gtest.h>

namespace ringress::conf {
namespace {

TEST(EditDistance, CountsEachEditOnce) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("users", "users"), 0u);
  EXPECT_EQ(edit_distance("usres", "users"), 1u);  // adjacent swap
  EXPECT_EQ(edit_distance("user", "users"), 1u);
  EXPECT_EQ(edit_distance("usersx", "users"), 1u);
  EXPECT_EQ(edit_distance("uzers", "users"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(ClosestMatch, SuggestsOnlyLikelyTypos) {
  std::vector<std::string_view> keys = {"workers", "drain_timeout", "buffer_size"};
  EXPECT_EQ(closest_match("wokers", keys), "workers");
  EXPECT_EQ(closest_match("buffersize", keys), "buffer_size");
  EXPECT_EQ(closest_match("threads", keys), std::nullopt);
  EXPECT_EQ(closest_match("x", {"y"}), std::nullopt);
  EXPECT_EQ(closest_match("ab", {"ac"}), "ac");
  EXPECT_EQ(closest_match("anything", {}), std::nullopt);
}

TEST(ClosestMatch, PrefersTheNearestThenTheFirst) {
  EXPECT_EQ(closest_match("weigth", {"width", "weight"}), "weight");
  EXPECT_EQ(closest_match("cat", {"bat", "hat"}), "bat");
}

TEST(DidYouMean, FormatsAHintOrNothing) {
  EXPECT_EQ(did_you_mean("usres", {"users", "web"}), " (did you mean \"users\"?)");
  EXPECT_EQ(did_you_mean("payments", {"users", "web"}), "");
}

}  // namespace
}  // namespace ringress::conf
