#include "http/domain_matcher.h"

#include <gtest/gtest.h>

namespace ringress::http::routing {
namespace {

constexpr uint32_t kNone = DomainMatcher::npos;

TEST(StripPort, RemovesANumericPort) {
  EXPECT_EQ(strip_port("example.com:8080"), "example.com");
  EXPECT_EQ(strip_port("example.com:"), "example.com");
  EXPECT_EQ(strip_port("example.com"), "example.com");
  EXPECT_EQ(strip_port("10.0.0.1:80"), "10.0.0.1");
  EXPECT_EQ(strip_port(""), "");
}

TEST(StripPort, KeepsBracketedIpv6AndOddSuffixes) {
  EXPECT_EQ(strip_port("[::1]:8080"), "[::1]");
  EXPECT_EQ(strip_port("[::1]"), "[::1]");
  EXPECT_EQ(strip_port("[fd00::1]"), "[fd00::1]");
  EXPECT_EQ(strip_port("::1"), "::1");
  EXPECT_EQ(strip_port("example.com:http"), "example.com:http");
}

TEST(EqualsIgnoreCase, AsciiOnly) {
  EXPECT_TRUE(equals_ignore_case("Example.COM", "example.com"));
  EXPECT_FALSE(equals_ignore_case("example.com", "example.co"));
  EXPECT_FALSE(equals_ignore_case("a", "b"));
  EXPECT_TRUE(equals_ignore_case("", ""));
}

// One virtual host per kind, so the winner tells which kind matched.
DomainMatcher all_kinds() {
  DomainMatcher m;
  m.add("*", 0);
  m.add("api.*", 1);
  m.add("*.example.com", 2);
  m.add("api.example.com", 3);
  return m;
}

TEST(DomainMatcher, ExactBeatsSuffixBeatsPrefixBeatsDefault) {
  DomainMatcher m = all_kinds();
  EXPECT_EQ(m.find("api.example.com"), 3u);
  EXPECT_EQ(m.find("www.example.com"), 2u);
  EXPECT_EQ(m.find("api.example.org"), 1u);
  EXPECT_EQ(m.find("other.org"), 0u);
}

TEST(DomainMatcher, PortIsIgnored) {
  DomainMatcher m = all_kinds();
  EXPECT_EQ(m.find("api.example.com:8080"), 3u);
  EXPECT_EQ(m.find("www.example.com:443"), 2u);
  EXPECT_EQ(m.find("api.example.org:80"), 1u);
}

TEST(DomainMatcher, ATrailingDotNamesTheSameHost) {
  DomainMatcher m = all_kinds();
  EXPECT_EQ(m.find("api.example.com."), 3u);
  EXPECT_EQ(m.find("API.example.com.:8080"), 3u);
  EXPECT_EQ(m.find("www.example.com."), 2u);
  EXPECT_EQ(m.find("api.example.org."), 1u);
  EXPECT_EQ(m.find("."), 0u);
}

TEST(DomainMatcher, AConfiguredTrailingDotNamesTheSameHost) {
  DomainMatcher m;
  m.add("a.", 0);
  m.add("*.example.com.", 1);
  EXPECT_EQ(m.find("a"), 0u);
  EXPECT_EQ(m.find("a."), 0u);
  EXPECT_EQ(m.find("www.example.com"), 1u);
  EXPECT_EQ(m.find("www.example.com.:8080"), 1u);
  EXPECT_EQ(m.find("b"), kNone);
}

TEST(DomainMatcher, CaseInsensitive) {
  DomainMatcher m;
  m.add("Api.Example.COM", 0);
  m.add("*.Example.com", 1);
  m.add("WWW.*", 2);
  EXPECT_EQ(m.find("api.example.com"), 0u);
  EXPECT_EQ(m.find("API.EXAMPLE.COM:80"), 0u);
  EXPECT_EQ(m.find("x.EXAMPLE.com"), 1u);
  EXPECT_EQ(m.find("www.example.org"), 2u);
}

TEST(DomainMatcher, SuffixWildcardNeedsAtLeastOneCharacter) {
  DomainMatcher m;
  m.add("*.example.com", 7);
  EXPECT_EQ(m.find("a.example.com"), 7u);
  EXPECT_EQ(m.find("a.b.example.com"), 7u);
  EXPECT_EQ(m.find("example.com"), kNone);
  EXPECT_EQ(m.find(".example.com"), kNone);
  EXPECT_EQ(m.find("aexample.com"), kNone);
}

TEST(DomainMatcher, SuffixWildcardWithoutDot) {
  DomainMatcher m;
  m.add("*-bar.example.com", 1);
  EXPECT_EQ(m.find("foo-bar.example.com"), 1u);
  EXPECT_EQ(m.find("-bar.example.com"), kNone);
}

TEST(DomainMatcher, LongestSuffixWinsWhateverTheOrder) {
  for (bool longest_first : {false, true}) {
    DomainMatcher m;
    if (longest_first) m.add("*.b.example.com", 2);
    m.add("*.example.com", 1);
    if (!longest_first) m.add("*.b.example.com", 2);
    EXPECT_EQ(m.find("a.b.example.com"), 2u);
    EXPECT_EQ(m.find("x.a.b.example.com"), 2u);
    EXPECT_EQ(m.find("b.example.com"), 1u);
    EXPECT_EQ(m.find("a.c.example.com"), 1u);
  }
}

TEST(DomainMatcher, PrefixWildcard) {
  DomainMatcher m;
  m.add("api.*", 1);
  EXPECT_EQ(m.find("api.example.com"), 1u);
  EXPECT_EQ(m.find("api.x"), 1u);
  EXPECT_EQ(m.find("api."), kNone);
  EXPECT_EQ(m.find("api"), kNone);
  EXPECT_EQ(m.find("xapi.example.com"), kNone);
}

TEST(DomainMatcher, LongestPrefixWinsWhateverTheOrder) {
  for (bool longest_first : {false, true}) {
    DomainMatcher m;
    if (longest_first) m.add("api.v2.*", 2);
    m.add("api.*", 1);
    if (!longest_first) m.add("api.v2.*", 2);
    EXPECT_EQ(m.find("api.v2.example.com"), 2u);
    EXPECT_EQ(m.find("api.v3.example.com"), 1u);
  }
}

TEST(DomainMatcher, SuffixWildcardBeatsLongerPrefixWildcard) {
  DomainMatcher m;
  m.add("www.example.*", 1);
  m.add("*.com", 2);
  EXPECT_EQ(m.find("www.example.com"), 2u);
}

TEST(DomainMatcher, NoDefaultMeansNoMatch) {
  DomainMatcher m;
  m.add("example.com", 0);
  EXPECT_EQ(m.find("example.org"), kNone);
  EXPECT_EQ(m.find(""), kNone);
}

TEST(DomainMatcher, EmptyHostGetsTheDefault) {
  DomainMatcher m = all_kinds();
  EXPECT_EQ(m.find(""), 0u);
}

TEST(DomainMatcher, FirstHostKeepsADuplicateDomain) {
  DomainMatcher m;
  m.add("example.com", 0);
  m.add("*.example.com", 0);
  m.add("api.*", 0);
  m.add("*", 0);
  m.add("EXAMPLE.com", 1);
  m.add("*.example.com", 1);
  m.add("api.*", 1);
  m.add("*", 1);
  EXPECT_EQ(m.find("example.com"), 0u);
  EXPECT_EQ(m.find("a.example.com"), 0u);
  EXPECT_EQ(m.find("api.org"), 0u);
  EXPECT_EQ(m.find("other"), 0u);
}

}  // namespace
}  // namespace ringress::http::routing
