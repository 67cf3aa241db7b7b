// Message framing across the proxy: chunked request and response bodies, and a response that
// the upstream ends by closing (re-chunked for HTTP/1.1 clients, close-delimited for HTTP/1.0).
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using ChunkedTest = HttpProxyTest;

// The decoded body of kChunkedBody.
const std::string kDecoded = "hello" + std::string(26, 'z') + "\r\n0\r\n" + "done";
const std::string kChunkedBody = "5\r\nhello\r\n1a;name=value\r\n" + std::string(26, 'z') +
                                 "\r\n5\r\n\r\n0\r\n\r\n4\r\ndone\r\n0\r\n\r\n";

std::string chunked_post(std::string_view target) {
  return request_bytes("POST", target, {{"Host", "c"}, {"Transfer-Encoding", "chunked"}},
                       kChunkedBody);
}

::testing::AssertionResult saw_decoded_body(const HttpMessage& up) {
  if (!up.ok()) return ::testing::AssertionFailure() << "upstream framing: " << up.describe();
  if (up.framing != HttpMessage::Framing::chunked &&
      up.framing != HttpMessage::Framing::content_length) {
    return ::testing::AssertionFailure() << "upstream request has no body framing\n"
                                         << up.describe();
  }
  if (up.body != kDecoded)
    return ::testing::AssertionFailure() << "decoded body differs\n" << up.describe();
  return ::testing::AssertionSuccess();
}

TEST_F(ChunkedTest, ChunkedRequestBodyArrivesDecodedExactly) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());

  // In one write.
  HttpMessage r = c.round_trip(chunked_post("/whole"), soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "POST /whole " + std::to_string(kDecoded.size()));

  // Dribbled in 7-byte pieces, so chunk lines are split across reads.
  std::string request = chunked_post("/dribbled");
  for (size_t i = 0; i < request.size(); i += 7) {
    ASSERT_TRUE(c.send(request.substr(i, 7), soon()).ok());
    std::this_thread::sleep_for(milliseconds(2));
  }
  r = c.read_response(soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "POST /dribbled " + std::to_string(kDecoded.size()));

  auto seen = upstream.wait_requests(2, soon());
  ASSERT_TRUE(seen);
  for (const UpstreamRequest& up : *seen) {
    EXPECT_TRUE(saw_decoded_body(up.message)) << up.message.target;
    EXPECT_LE(up.message.headers.count("transfer-encoding"), 1u);
  }
}

TEST_F(ChunkedTest, ChunkedResponseIsDecodedExactlyByTheClient) {
  const std::string big = pattern_text(11, 300 * 1024);
  HttpUpstream upstream([&](const UpstreamRequest&) {
    std::string body = "7\r\nchunked\r\n1;ext=\"q\"\r\n \r\n";
    for (size_t off = 0; off < big.size(); off += 40000) {
      std::string piece = big.substr(off, 40000);
      char size[32];
      snprintf(size, sizeof size, "%zx\r\n", piece.size());
      body += size + piece + "\r\n";
    }
    body += "0\r\n\r\n";
    UpstreamReply reply;
    reply.bytes = response_bytes(200, "OK", {{"Transfer-Encoding", "chunked"}}, body, false);
    return reply;
  });
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 2; ++i) {
    HttpMessage r = c.round_trip(get_request("/chunked"), soon());
    ASSERT_TRUE(has_status(r, 200)) << "request " << i;
    EXPECT_EQ(r.framing, HttpMessage::Framing::chunked);
    EXPECT_TRUE(r.body == "chunked " + big)
        << "request " << i << ": " << r.body_size << " bytes, expected " << big.size() + 8;
  }
}

UpstreamReply close_delimited(const UpstreamRequest& request) {
  UpstreamReply reply;
  reply.bytes = response_bytes(200, "OK", {{"Content-Type", "text/plain"}},
                               "until close: " + request.message.target, false);
  reply.then = UpstreamReply::Then::close;
  return reply;
}

TEST_F(ChunkedTest, CloseDelimitedResponseIsRechunkedForHttp11AndKeepsTheConnection) {
  HttpUpstream upstream(close_delimited);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 3; ++i) {
    std::string target = "/eof/" + std::to_string(i);
    HttpMessage r = c.round_trip(get_request(target), soon());
    ASSERT_TRUE(has_status(r, 200)) << "request " << i << " on the same connection";
    EXPECT_EQ(r.framing, HttpMessage::Framing::chunked) << r.describe();
    EXPECT_EQ(r.body, "until close: " + target);
    EXPECT_FALSE(r.headers.has_token("connection", "close")) << r.describe();
  }
  EXPECT_EQ(upstream.accepted(), 3u);
}

TEST_F(ChunkedTest, CloseDelimitedResponseReachesHttp10ClientWithClose) {
  HttpUpstream upstream(close_delimited);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r =
      c.round_trip(request_bytes("GET", "/old", {{"Host", "h"}}, "", "HTTP/1.0"), soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.framing, HttpMessage::Framing::until_close) << r.describe();
  EXPECT_EQ(r.header("transfer-encoding"), std::nullopt);
  EXPECT_EQ(r.body, "until close: /old");
  IoResult closed = c.wait_closed(soon());
  EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
}

}  // namespace
}  // namespace ringress::test
