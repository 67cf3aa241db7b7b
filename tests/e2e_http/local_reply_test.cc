// Replies ringress makes itself: each with its exact status and a short text/plain body, and
// the connection closed where the request's framing can no longer be trusted.
#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using LocalReplyTest = HttpProxyTest;

// The client's connection must be closed cleanly after `response`: FIN within 2 s, so the
// client reliably reads the reply (a reset could destroy it in the client's receive queue).
::testing::AssertionResult closed_after(HttpClient& c, const HttpMessage& response) {
  if (!response.headers.has_token("connection", "close"))
    return ::testing::AssertionFailure() << "no Connection: close\n" << response.describe();
  IoResult r = c.wait_closed(deadline_in(stretched(seconds(2))));
  if (r.status != IoResult::kEof)
    return ::testing::AssertionFailure() << "connection not closed with FIN: " << r.describe();
  if (r.bytes != 0)
    return ::testing::AssertionFailure() << r.bytes << " more bytes after the reply";
  return ::testing::AssertionSuccess();
}

TEST_F(LocalReplyTest, ContentLengthWithTransferEncodingIs400AndCloses) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  // A smuggling attempt: which framing wins decides where the next request starts.
  HttpMessage r = c.round_trip(
      "POST / HTTP/1.1\r\nHost: s\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: s\r\n\r\n",
      soon());
  EXPECT_TRUE(is_local_reply(r, 400));
  EXPECT_TRUE(closed_after(c, r));
  EXPECT_EQ(upstream.request_count(), 0u);
}

TEST_F(LocalReplyTest, NoMatchingRouteIs404) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.virtual_hosts[0].routes = {R"({ exact = "/only", cluster = "backend" })"};
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(get_request("/other"), soon());
  EXPECT_TRUE(is_local_reply(r, 404));
  // Nothing wrong with the framing: the connection goes on.
  EXPECT_TRUE(has_status(c.round_trip(get_request("/only"), soon()), 200));
  EXPECT_EQ(upstream.request_count(), 1u);
}

TEST_F(LocalReplyTest, ContentLengthOverMaxBodySizeIs413) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port(), R"(max_body_size = "1KiB")")));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(
      request_bytes("POST", "/upload", {{"Host", "b"}, {"Content-Length", "2048"}}), soon());
  EXPECT_TRUE(is_local_reply(r, 413));
  EXPECT_TRUE(closed_after(c, r));
  EXPECT_EQ(upstream.request_count(), 0u);
}

TEST_F(LocalReplyTest, TargetOverMaxUriLengthIs414) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back(R"(max_uri_length = "1KiB")");
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(get_request("/" + std::string(2000, 'u')), soon());
  EXPECT_TRUE(is_local_reply(r, 414));
  EXPECT_TRUE(closed_after(c, r));
  EXPECT_EQ(upstream.request_count(), 0u);
}

TEST_F(LocalReplyTest, HeadOverMaxRequestHeadersIs431) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back(R"(max_request_headers = "2KiB")");
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(
      request_bytes("GET", "/", {{"Host", "h"}, {"X-Big", std::string(4000, 'h')}}), soon());
  EXPECT_TRUE(is_local_reply(r, 431));
  EXPECT_TRUE(closed_after(c, r));
  EXPECT_EQ(upstream.request_count(), 0u);
}

TEST_F(LocalReplyTest, GarbageFromUpstreamIs502) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply reply;
    reply.bytes = "HELLO\r\n\r\n";
    reply.then = UpstreamReply::Then::close;
    return reply;
  });
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  EXPECT_TRUE(is_local_reply(c.round_trip(get_request("/"), soon()), 502));
}

TEST_F(LocalReplyTest, UpstreamClosingWithoutResponseOnFreshConnectionIs502) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply reply;
    reply.then = UpstreamReply::Then::close;
    return reply;
  });
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  EXPECT_TRUE(is_local_reply(c.round_trip(get_request("/"), soon()), 502));
  EXPECT_EQ(upstream.accepted(), 1u) << "a fresh connection's failure is not retried by default";
}

TEST_F(LocalReplyTest, AllEndpointsRefusingIs503) {
  HttpProxyConfig config = config_for(free_port());
  config.clusters[0].ports.push_back(free_port());
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  EXPECT_TRUE(is_local_reply(c.round_trip(get_request("/"), soon()), 503));
  // The connection is still usable.
  EXPECT_TRUE(is_local_reply(c.round_trip(get_request("/again"), soon()), 503));
}

TEST_F(LocalReplyTest, SilentUpstreamIs504AfterRouteTimeout) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply reply;
    reply.then = UpstreamReply::Then::stall;
    return reply;
  });
  ASSERT_TRUE(start(config_for(upstream.port(), R"(timeout = "300ms")")));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  Clock::time_point sent = Clock::now();
  HttpMessage r = c.round_trip(get_request("/slow"), soon());
  auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - sent);
  EXPECT_TRUE(is_local_reply(r, 504));
  EXPECT_GE(took, milliseconds(290));
  EXPECT_LT(took, stretched(milliseconds(2000)));
}

TEST_F(LocalReplyTest, HalfAHeadPastRequestHeadersTimeoutIs408) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back(R"(request_headers_timeout = "300ms")");
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  Clock::time_point sent = Clock::now();
  HttpMessage r = c.round_trip("GET /half HTTP/1.1\r\nHost: h\r\nX-Pa", soon());
  auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - sent);
  EXPECT_TRUE(is_local_reply(r, 408));
  EXPECT_TRUE(closed_after(c, r));
  EXPECT_GE(took, milliseconds(290));
  EXPECT_LT(took, stretched(milliseconds(2000)));
  EXPECT_EQ(upstream.request_count(), 0u);
}

TEST_F(LocalReplyTest, DirectResponseAnswersWithConfiguredStatusTypeAndBody) {
  HttpProxyConfig config = config_for(free_port());
  config.virtual_hosts[0].routes = {
      R"({ exact = "/healthz", direct_response = { status = 200, body = "ok" } })",
      R"({ prefix = "/tea", direct_response = { status = 418, body = "{\"tea\":1}", )"
      R"(content_type = "application/json" } })",
  };
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(get_request("/healthz"), soon());
  EXPECT_TRUE(is_local_reply(r, 200));
  EXPECT_EQ(r.body, "ok");
  r = c.round_trip(get_request("/tea/pot"), soon());
  ASSERT_TRUE(has_status(r, 418));
  EXPECT_EQ(r.body, "{\"tea\":1}");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("content-length"), "9");
}

TEST_F(LocalReplyTest, RedirectSendsExactLocation) {
  HttpProxyConfig config = config_for(free_port());
  config.virtual_hosts[0].routes = {
      R"({ prefix = "/old/", redirect = { prefix = "/new/", status = 308 } })",
      R"({ exact = "/login", redirect = { scheme = "https", host = "accounts.example.com:8443", )"
      R"(path = "/signin", status = 302 } })",
      R"({ path_prefix = "/gone", redirect = { path = "/", strip_query = true } })",
  };
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());

  HttpMessage r = c.round_trip(get_request("/old/a/b?x=1&y=2", "www.example.com:8080"), soon());
  ASSERT_TRUE(has_status(r, 308));
  EXPECT_EQ(r.header("location"), "http://www.example.com:8080/new/a/b?x=1&y=2");

  r = c.round_trip(get_request("/login?next=%2Fhome", "www.example.com"), soon());
  ASSERT_TRUE(has_status(r, 302));
  EXPECT_EQ(r.header("location"), "https://accounts.example.com:8443/signin?next=%2Fhome");

  r = c.round_trip(get_request("/gone/deep?q=1", "example.org"), soon());
  ASSERT_TRUE(has_status(r, 301));
  EXPECT_EQ(r.header("location"), "http://example.org/");
}

}  // namespace
}  // namespace ringress::test
