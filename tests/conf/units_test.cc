// Duration and size syntax: what parses, to what, and what is rejected.
#include "conf/units.h"

#include <gtest/gtest.h>

namespace ringress::conf {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseDuration, AcceptsEachUnit) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("5s"), seconds(5));
  EXPECT_EQ(parse_duration("1m"), minutes(1));
  EXPECT_EQ(parse_duration("1h"), hours(1));
}

TEST(ParseDuration, AcceptsFractionsThatAreWholeMilliseconds) {
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(parse_duration("0.25s"), milliseconds(250));
  EXPECT_EQ(parse_duration("0.5m"), seconds(30));
  EXPECT_EQ(parse_duration("1.0ms"), milliseconds(1));
  EXPECT_EQ(parse_duration("1.5ms"), std::nullopt);
  EXPECT_EQ(parse_duration("0.0001s"), std::nullopt);
}

TEST(ParseDuration, AcceptsCompoundValues) {
  EXPECT_EQ(parse_duration("1h30m"), minutes(90));
  EXPECT_EQ(parse_duration("1m30s"), seconds(90));
  EXPECT_EQ(parse_duration("2s500ms"), milliseconds(2500));
}

TEST(ParseDuration, ZeroNeedsNoUnit) {
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
  EXPECT_EQ(parse_duration("0s"), milliseconds(0));
  EXPECT_EQ(parse_duration("00"), std::nullopt);
}

TEST(ParseDuration, RejectsGarbage) {
  for (const char* text : {"",
                           "5",
                           "s",
                           "ms",
                           "5 s",
                           " 5s",
                           "5s ",
                           "-5s",
                           "+5s",
                           "5S",
                           "5sec",
                           "5d",
                           "5us",
                           ".5s",
                           "5.s",
                           "1.2.3s",
                           "5s5",
                           "1_000ms",
                           "0x10s",
                           "5ms!",
                           "99999999999999999999ms",
                           "9999999999999999h"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
  }
}

TEST(ParseSize, AcceptsBinaryUnitsAndPlainBytes) {
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("512B"), 512u);
  EXPECT_EQ(parse_size("64KiB"), 65536u);
  EXPECT_EQ(parse_size("1MiB"), 1048576u);
  EXPECT_EQ(parse_size("2GiB"), 2147483648u);
  EXPECT_EQ(parse_size("1TiB"), 1ull << 40);
  EXPECT_EQ(parse_size("0"), 0u);
}

TEST(ParseSize, AcceptsFractionsThatAreWholeBytes) {
  EXPECT_EQ(parse_size("1.5KiB"), 1536u);
  EXPECT_EQ(parse_size("0.5MiB"), 524288u);
  EXPECT_EQ(parse_size("1.5"), std::nullopt);
  EXPECT_EQ(parse_size("1.5B"), std::nullopt);
  EXPECT_EQ(parse_size("0.001KiB"), std::nullopt);
}

TEST(ParseSize, RejectsGarbage) {
  for (const char* text : {"", "KiB", "64KB", "64kib", "64K", "64MB", "64 KiB", "-1", "1.", ".5KiB",
                           "64KiBs", "1e3", "99999999999999999999", "16777216TiB"}) {
    EXPECT_EQ(parse_size(text), std::nullopt) << text;
  }
}

TEST(FormatUnits, UsesTheLargestExactUnit) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(seconds(90)), "90s");
  EXPECT_EQ(format_duration(minutes(10)), "10m");
  EXPECT_EQ(format_duration(hours(168)), "168h");
  EXPECT_EQ(format_size(0), "0B");
  EXPECT_EQ(format_size(1000), "1000B");
  EXPECT_EQ(format_size(16384), "16KiB");
  EXPECT_EQ(format_size(1 << 20), "1MiB");
}

TEST(FormatUnits, RoundTrips) {
  for (int64_t ms : {0, 1, 999, 1000, 61000, 3600000, 5400000}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms)) << ms;
  }
  for (uint64_t bytes : {0ull, 1ull, 1023ull, 1024ull, 1536ull, 1ull << 30, 3ull << 40}) {
    EXPECT_EQ(parse_size(format_size(bytes)), bytes) << bytes;
  }
}

}  // namespace
}  // namespace ringress::conf
