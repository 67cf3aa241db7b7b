// request_hash: which policy yields the key, the key itself, and the generated sticky cookie.
#include "http/hash_key.h"

#include <gtest/gtest.h>

#include "lb/hash.h"
#include "tests/http_router/alloc_counter.h"

namespace ringress::http {
namespace {

conf::HashPolicy header(std::string name) {
  return {conf::HashSource::header, std::move(name), std::nullopt, ""};
}
conf::HashPolicy cookie(std::string name, std::optional<conf::Duration> ttl = std::nullopt,
                        std::string path = "") {
  return {conf::HashSource::cookie, std::move(name), ttl, std::move(path)};
}
conf::HashPolicy source_ip() { return {conf::HashSource::source_ip, "", std::nullopt, ""}; }
conf::HashPolicy query(std::string name) {
  return {conf::HashSource::query_parameter, std::move(name), std::nullopt, ""};
}

class RequestHashTest : public testing::Test {
 protected:
  RequestHash hash(std::vector<conf::HashPolicy> policies, std::string_view ip = "192.0.2.7",
                   uint64_t seed = 1) {
    policies_ = std::move(policies);
    return request_hash(policies_, request_, ip, seed, arena_);
  }
  RequestHead request_;
  core::Arena arena_;
  std::vector<conf::HashPolicy> policies_;
};

TEST_F(RequestHashTest, HeaderValue) {
  request_.headers.add("X-User", "alice");
  request_.headers.add("x-user", "bob");
  RequestHash h = hash({header("x-user")});
  EXPECT_EQ(h.key, lb::hash64("alice"));  // the first value, name in any case
  EXPECT_TRUE(h.set_cookie.empty());
}

TEST_F(RequestHashTest, TheFirstPolicyThatYieldsAKeyWins) {
  EXPECT_EQ(hash({header("x-user"), source_ip()}).key, lb::hash64("192.0.2.7"));
  request_.headers.add("X-User", "alice");
  EXPECT_EQ(hash({header("x-user"), source_ip()}).key, lb::hash64("alice"));
  EXPECT_EQ(hash({source_ip(), header("x-user")}).key, lb::hash64("192.0.2.7"));
}

TEST_F(RequestHashTest, NoPolicyYieldingAKeyIsNoKey) {
  EXPECT_FALSE(hash({header("x-user"), cookie("sid"), query("u")}).key);
  EXPECT_FALSE(hash({}).key);
  EXPECT_FALSE(hash({source_ip()}, "").key);
}

TEST_F(RequestHashTest, CookieValue) {
  request_.headers.add("Cookie", "theme=dark;sid=abc123 ; lang=en");
  EXPECT_EQ(hash({cookie("sid")}).key, lb::hash64("abc123"));
  EXPECT_EQ(hash({cookie("lang")}).key, lb::hash64("en"));
  EXPECT_FALSE(hash({cookie("SID")}).key);  // cookie names are case-sensitive
  EXPECT_FALSE(hash({cookie("si")}).key);
}

TEST_F(RequestHashTest, CookieInALaterHeaderQuotedOrEmpty) {
  request_.headers.add("Cookie", "a=1");
  request_.headers.add("cookie", "sid=\"q v\"; empty=");
  EXPECT_EQ(hash({cookie("sid")}).key, lb::hash64("q v"));
  EXPECT_FALSE(hash({cookie("empty")}).key);  // an empty cookie counts as absent
  EXPECT_EQ(find_cookie(request_.headers, "a"), "1");
}

TEST_F(RequestHashTest, CookieWithATtlIsGeneratedWhenAbsent) {
  RequestHash first = hash({cookie("sid", std::chrono::hours(1), "/")}, "192.0.2.7", 77);
  ASSERT_TRUE(first.key);
  // "sid=<16 hex digits>; Max-Age=3600; Path=/; HttpOnly", keyed by the value.
  ASSERT_EQ(first.set_cookie.size(), 4 + 16 + 32);
  EXPECT_EQ(first.set_cookie.substr(0, 4), "sid=");
  std::string value(first.set_cookie.substr(4, 16));
  EXPECT_EQ(value.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(first.set_cookie.substr(20), "; Max-Age=3600; Path=/; HttpOnly");
  EXPECT_EQ(first.key, lb::hash64(value));
  // The same connection gets the same cookie; another connection another.
  EXPECT_EQ(hash({cookie("sid", std::chrono::hours(1), "/")}, "192.0.2.7", 77).set_cookie,
            first.set_cookie);
  EXPECT_NE(hash({cookie("sid", std::chrono::hours(1), "/")}, "192.0.2.7", 78).set_cookie,
            first.set_cookie);
  // The client sends it back: same key, nothing to set.
  std::string back = "sid=" + value;
  request_.headers.add("Cookie", back);
  RequestHash next = hash({cookie("sid", std::chrono::hours(1), "/")});
  EXPECT_EQ(next.key, first.key);
  EXPECT_TRUE(next.set_cookie.empty());
}

TEST_F(RequestHashTest, GeneratedCookieAttributes) {
  // ttl 0: a session cookie (no Max-Age); no path: no Path.
  RequestHash h = hash({cookie("s", std::chrono::seconds(0))});
  ASSERT_EQ(h.set_cookie.size(), 2 + 16 + 10);
  EXPECT_EQ(h.set_cookie.substr(18), "; HttpOnly");
  h = hash({cookie("s", std::chrono::seconds(90), "/app")});
  EXPECT_EQ(h.set_cookie.substr(18), "; Max-Age=90; Path=/app; HttpOnly");
}

TEST_F(RequestHashTest, CookieWithoutTtlFallsThrough) {
  EXPECT_EQ(hash({cookie("sid"), source_ip()}).key, lb::hash64("192.0.2.7"));
  // With a ttl it is generated, so the policies after it are not reached.
  RequestHash h = hash({cookie("sid", std::chrono::hours(1)), source_ip()});
  EXPECT_NE(h.key, lb::hash64("192.0.2.7"));
  EXPECT_FALSE(h.set_cookie.empty());
}

TEST_F(RequestHashTest, QueryParameter) {
  request_.query = "a=1&u=carol&u=dave&e";
  EXPECT_EQ(hash({query("u")}).key, lb::hash64("carol"));
  EXPECT_EQ(hash({query("e")}).key, lb::hash64(""));  // present without a value counts
  EXPECT_FALSE(hash({query("x")}).key);
  EXPECT_FALSE(hash({query("U")}).key);
}

TEST_F(RequestHashTest, AllocatesNothingUnlessItGeneratesACookie) {
  request_.headers.add("Cookie", "sid=abc");
  request_.query = "u=1";
  std::vector<conf::HashPolicy> policies = {header("x-user"), cookie("nope"), query("x"),
                                            cookie("sid"),    query("u"),     source_ip()};
  std::size_t before = router_test::allocation_count();
  uint64_t sum = 0;
  for (int i = 0; i < 100; ++i) sum += *request_hash(policies, request_, "10.1.1.1", 1, arena_).key;
  EXPECT_EQ(router_test::allocation_count() - before, 0u);
  EXPECT_EQ(sum, 100 * lb::hash64("abc"));
}

}  // namespace
}  // namespace ringress::http
