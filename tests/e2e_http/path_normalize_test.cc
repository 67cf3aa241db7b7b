// The request path as the router and the upstream see it: a route that answers a path itself
// (a 403 for /admin) cannot be walked around with dot segments, percent-encoded letters or
// doubled slashes, which many upstreams resolve to the same resource; and what the upstream
// receives is the path that was routed.
#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using PathNormalizeTest = HttpProxyTest;

HttpUpstream::Handler echo_target() {
  return [](const UpstreamRequest& r) {
    UpstreamReply reply;
    reply.bytes = ok_response("up " + r.message.target);
    return reply;
  };
}

HttpProxyConfig guarded(uint16_t listen_port, uint16_t upstream_port) {
  HttpProxyConfig config;
  config.listen_port = listen_port;
  config.virtual_hosts = {
      {"www",
       {"*"},
       {R"({ path_prefix = "/admin", direct_response = { status = 403, body = "denied" } })",
        R"({ prefix = "/", cluster = "backend" })"}}};
  config.clusters = {{"backend", {upstream_port}, {}}};
  return config;
}

struct Case {
  std::string sent;
  int status;
  std::string body;  // "denied", or "up <target the upstream received>"
};

void expect_cases(HttpClient& c, const std::vector<Case>& cases) {
  for (const Case& k : cases) {
    HttpMessage r = c.round_trip(get_request(k.sent), soon());
    ASSERT_TRUE(has_status(r, k.status)) << "sent " << k.sent << ": " << r.status;
    EXPECT_EQ(r.body, k.body) << "sent " << k.sent;
  }
}

TEST_F(PathNormalizeTest, ADeniedPathCannotBeReachedByAnotherSpellingOfIt) {
  HttpUpstream upstream(echo_target());
  ASSERT_TRUE(start(guarded(listen_port_, upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  expect_cases(c, {
                      {"/admin", 403, "denied"},
                      {"/x/../admin", 403, "denied"},
                      {"/./admin", 403, "denied"},
                      {"/%61dmin", 403, "denied"},
                      {"/%61%64%6D%69%6e/users", 403, "denied"},
                      {"//admin", 403, "denied"},
                      {"/x//..//admin/", 403, "denied"},
                      {"/x/%2e%2e/admin", 403, "denied"},
                      {"/x/%2E./admin?q=1", 403, "denied"},
                      {"/../../admin", 403, "denied"},
                      {"/x/..\\admin", 403, "denied"},
                      {"/public/../admin/../admin", 403, "denied"},
                  });
  EXPECT_EQ(upstream.request_count(), 0u);
}

TEST_F(PathNormalizeTest, TheUpstreamReceivesTheNormalizedPathAndTheQueryAsSent) {
  HttpUpstream upstream(echo_target());
  ASSERT_TRUE(start(guarded(listen_port_, upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  expect_cases(c, {
                      {"/a/b/../c", 200, "up /a/c"},
                      {"/a/./b/.", 200, "up /a/b/"},
                      {"/a//b///c", 200, "up /a/b/c"},
                      {"/%7Euser/%41b%2d%5f", 200, "up /~user/Ab-_"},
                      {"/x/%3f%2a%e2%82%ac", 200, "up /x/%3F%2A%E2%82%AC"},
                      {"/x/..?a=/../b&c=%2e", 200, "up /?a=/../b&c=%2e"},
                      {"/files/a%2Fb", 200, "up /files/a%2Fb"},
                      {"/files/a%2fb/..", 200, "up /files/"},
                      {"/.well-known/x", 200, "up /.well-known/x"},
                      {"/..a/b..", 200, "up /..a/b.."},
                      {"/admins", 200, "up /admins"},
                  });
}

TEST_F(PathNormalizeTest, AnInvalidPercentEncodingIsA400) {
  HttpUpstream upstream(echo_target());
  ASSERT_TRUE(start(guarded(listen_port_, upstream.port())));
  for (std::string sent : {"/a%zz", "/a%4", "/a%", "/%g0/admin"}) {
    HttpClient c = client();
    ASSERT_TRUE(c.connected());
    HttpMessage r = c.round_trip(get_request(sent), soon());
    ASSERT_TRUE(has_status(r, 400)) << sent << ": " << r.status;
    EXPECT_EQ(r.body, "invalid percent-encoding in the request path\n") << sent;
  }
  EXPECT_EQ(upstream.request_count(), 0u);
}

TEST_F(PathNormalizeTest, EncodedSlashesCanBeRefused) {
  HttpUpstream upstream(echo_target());
  HttpProxyConfig config = guarded(listen_port_, upstream.port());
  config.listener_keys = {R"(escaped_slashes = "reject")"};
  ASSERT_TRUE(start(config));
  for (std::string sent : {"/x/..%2Fadmin", "/files/a%2fb", "/a%5Cb"}) {
    HttpClient c = client();
    ASSERT_TRUE(c.connected());
    HttpMessage r = c.round_trip(get_request(sent), soon());
    ASSERT_TRUE(has_status(r, 400)) << sent << ": " << r.status;
    EXPECT_EQ(r.body, "encoded slash (%2F or %5C) in the request path\n") << sent;
  }
  EXPECT_EQ(upstream.request_count(), 0u);
}

TEST_F(PathNormalizeTest, EncodedSlashesCanBeDecodedBeforeRouting) {
  HttpUpstream upstream(echo_target());
  HttpProxyConfig config = guarded(listen_port_, upstream.port());
  config.listener_keys = {R"(escaped_slashes = "unescape")"};
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  expect_cases(c, {
                      {"/x/..%2Fadmin", 403, "denied"},
                      {"/x/..%5cadmin", 403, "denied"},
                      {"/files/a%2Fb", 200, "up /files/a/b"},
                  });
}

TEST_F(PathNormalizeTest, EveryStepCanBeTurnedOff) {
  HttpUpstream upstream(echo_target());
  HttpProxyConfig config = guarded(listen_port_, upstream.port());
  config.listener_keys = {"normalize_path = false", "merge_slashes = false"};
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  expect_cases(c, {
                      {"/x/../admin", 200, "up /x/../admin"},
                      {"//admin", 200, "up //admin"},
                      {"/%61dmin%zz", 200, "up /%61dmin%zz"},
                      {"/admin", 403, "denied"},
                  });
}

}  // namespace
}  // namespace ringress::test
