// What ringress writes into the heads it forwards, and the framing it accepts: the framing of a
// message comes from what the parser understood, never from fields a peer can make disappear
// (`Connection: content-length` is request smuggling); every chunk extension RFC 9112 allows
// passes; a request-target too long is a 414; list fields on several lines are combined in order.
#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using FramingTest = HttpProxyTest;

// 36 bytes that are a whole request of their own: forwarded without its Content-Length, the
// POST's body would reach the upstream as a second request that skipped routing and filters.
const std::string kSmuggled = "GET /smuggled HTTP/1.1\r\nHost: xy\r\n\r\n";

// Sends `request` and then a plain GET on the same connection, and returns what the upstream
// received once the GET has arrived (a smuggled request would sit between the two).
std::vector<UpstreamRequest> upstream_saw(uint16_t port, HttpUpstream& upstream,
                                          const std::string& request, HttpMessage& response) {
  HttpClient c(port);
  EXPECT_TRUE(c.connected());
  response = c.round_trip(request, soon());
  HttpMessage after = c.round_trip(get_request("/after"), soon());
  EXPECT_TRUE(has_status(after, 200));
  EXPECT_EQ(after.body, "GET /after 0");
  upstream.wait_requests(2, soon());
  return upstream.requests();
}

TEST_F(FramingTest, ConnectionContentLengthDoesNotSmuggleTheBody) {
  ASSERT_EQ(kSmuggled.size(), 36u);
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));

  HttpMessage response;
  auto seen = upstream_saw(
      listen_port_, upstream,
      request_bytes("POST", "/",
                    {{"Host", "h"}, {"Connection", "content-length"}, {"Content-Length", "36"}},
                    kSmuggled),
      response);
  ASSERT_TRUE(has_status(response, 200));
  EXPECT_EQ(response.body, "POST / 36");
  ASSERT_EQ(seen.size(), 2u) << seen.back().message.describe();
  const HttpMessage& post = seen[0].message;
  EXPECT_TRUE(post.ok()) << post.describe();
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.headers.count("content-length"), 1u) << post.describe();
  EXPECT_EQ(post.header("content-length"), "36");
  EXPECT_EQ(post.headers.count("transfer-encoding"), 0u) << post.describe();
  EXPECT_EQ(post.body, kSmuggled);
  EXPECT_EQ(seen[1].message.target, "/after");
}

TEST_F(FramingTest, ConnectionTransferEncodingDoesNotSmuggleTheBody) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));

  HttpMessage response;
  auto seen = upstream_saw(
      listen_port_, upstream,
      request_bytes(
          "POST", "/",
          {{"Host", "h"}, {"Connection", "transfer-encoding"}, {"Transfer-Encoding", "chunked"}},
          "24\r\n" + kSmuggled + "\r\n0\r\n\r\n"),
      response);
  ASSERT_TRUE(has_status(response, 200));
  EXPECT_EQ(response.body, "POST / 36");
  ASSERT_EQ(seen.size(), 2u) << seen.back().message.describe();
  const HttpMessage& post = seen[0].message;
  EXPECT_TRUE(post.ok()) << post.describe();
  EXPECT_EQ(post.headers.count("transfer-encoding"), 1u) << post.describe();
  EXPECT_EQ(post.header("transfer-encoding"), "chunked");
  EXPECT_EQ(post.headers.count("content-length"), 0u) << post.describe();
  EXPECT_EQ(post.body, kSmuggled);
  EXPECT_EQ(seen[1].message.target, "/after");
}

TEST_F(FramingTest, ConnectionHostDoesNotRemoveHost) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpMessage response;
  auto seen =
      upstream_saw(listen_port_, upstream,
                   request_bytes("GET", "/h", {{"Host", "h"}, {"Connection", "host"}}), response);
  ASSERT_TRUE(has_status(response, 200));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].message.headers.count("host"), 1u) << seen[0].message.describe();
  EXPECT_EQ(seen[0].message.header("host"), "h");
}

// An upstream can name its framing in Connection too: the client must still get a response it
// can delimit, and the connection must stay usable.
TEST_F(FramingTest, ResponseConnectionOptionsKeepTheFraming) {
  HttpUpstream upstream([](const UpstreamRequest& r) {
    UpstreamReply reply;
    if (r.message.target == "/length") {
      reply.bytes = response_bytes(200, "OK", {{"Connection", "content-length"}}, "hello");
    } else {
      reply.bytes = response_bytes(
          200, "OK", {{"Connection", "transfer-encoding"}, {"Transfer-Encoding", "chunked"}},
          "5\r\nhello\r\n0\r\n\r\n", false);
    }
    return reply;
  });
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int round = 0; round < 2; ++round) {
    HttpMessage r = c.round_trip(get_request("/length"), soon());
    ASSERT_TRUE(has_status(r, 200));
    EXPECT_EQ(r.framing, HttpMessage::Framing::content_length) << r.describe();
    EXPECT_EQ(r.header("content-length"), "5");
    EXPECT_EQ(r.body, "hello");

    r = c.round_trip(get_request("/chunked"), soon());
    ASSERT_TRUE(has_status(r, 200));
    EXPECT_EQ(r.framing, HttpMessage::Framing::chunked) << r.describe();
    EXPECT_EQ(r.headers.count("transfer-encoding"), 1u) << r.describe();
    EXPECT_EQ(r.body, "hello");
  }
}

// RFC 9112 §7.1.1 chunk extensions, several per line, with token and quoted values and BWS:
// llhttp 8.1 refused the second extension after one with a value (issue 9, item 6).
TEST_F(FramingTest, ValidChunkExtensionsAreAccepted) {
  HttpUpstream upstream([](const UpstreamRequest& r) {
    UpstreamReply reply;
    reply.bytes = response_bytes(200, "OK", {{"Transfer-Encoding", "chunked"}},
                                 "3;name=value;q=\"quoted\"\r\n" + r.message.body.substr(0, 3) +
                                     "\r\n2 ; a = \"\\\"\" ; b\r\nok\r\n0;x=y\r\n\r\n",
                                 false);
    return reply;
  });
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(
      request_bytes("POST", "/ext", {{"Host", "h"}, {"Transfer-Encoding", "chunked"}},
                    "3;name=value;q=\"quoted\"\r\nabc\r\n2 ; a = \"\\\"\" ; b\r\nde\r\n"
                    "0;last=\"1\"\r\n\r\n"),
      soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "abcok");
  auto seen = upstream.wait_requests(1, soon());
  ASSERT_TRUE(seen);
  EXPECT_TRUE((*seen)[0].message.ok()) << (*seen)[0].message.describe();
  EXPECT_EQ((*seen)[0].message.body, "abcde");
}

// RFC 9112 §3: a request-target too long to parse is a 414, whichever limit it crosses
// (issue 9, item 10: a 20 KiB target got 431).
void expect_414_for_a_20_kib_target(uint16_t port, HttpUpstream& upstream) {
  HttpClient c(port);
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(get_request("/" + std::string(20 * 1024, 'a')), soon());
  EXPECT_TRUE(is_local_reply(r, 414));
  EXPECT_EQ(upstream.request_count(), 0u);
}

TEST_F(FramingTest, LongTargetGets414UnderDefaultLimits) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  expect_414_for_a_20_kib_target(listen_port_, upstream);
}

TEST_F(FramingTest, LongTargetGets414WhenItCrossesTheHeadLimit) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back(R"(max_request_headers = "16KiB")");
  config.listener_keys.push_back(R"(max_uri_length = "64KiB")");
  ASSERT_TRUE(start(config));
  expect_414_for_a_20_kib_target(listen_port_, upstream);
}

// A list sent on several lines is one list (RFC 9110 §5.3): from a trusted proxy, every
// X-Forwarded-For line reaches the upstream, in order (issue 9, item 11), and so does every Via.
TEST_F(FramingTest, ForwardedListsOnSeveralLinesAreJoinedInOrder) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back(R"(trusted_proxies = ["127.0.0.1/32"])");
  config.listener_keys.push_back(R"(via = "edge-1")");
  ASSERT_TRUE(start(config));

  HttpMessage response;
  auto seen = upstream_saw(listen_port_, upstream,
                           request_bytes("GET", "/h",
                                         {{"Host", "h"},
                                          {"X-Forwarded-For", "203.0.113.7"},
                                          {"Via", "1.0 corp"},
                                          {"X-Forwarded-Proto", "https"},
                                          {"X-Forwarded-For", "10.0.0.1, 10.0.0.2"},
                                          {"Via", "1.1 lb"},
                                          {"X-Forwarded-Proto", "http"}}),
                           response);
  ASSERT_TRUE(has_status(response, 200));
  ASSERT_EQ(seen.size(), 2u);
  const HttpMessage& up = seen[0].message;
  EXPECT_EQ(up.headers.count("x-forwarded-for"), 1u) << up.describe();
  EXPECT_EQ(up.header("x-forwarded-for"), "203.0.113.7, 10.0.0.1, 10.0.0.2, 127.0.0.1");
  EXPECT_EQ(up.headers.count("via"), 1u) << up.describe();
  EXPECT_EQ(up.header("via"), "1.0 corp, 1.1 lb, 1.1 edge-1");
  EXPECT_EQ(up.headers.count("x-forwarded-proto"), 1u) << up.describe();
  EXPECT_EQ(up.header("x-forwarded-proto"), "https");
}

}  // namespace
}  // namespace ringress::test
