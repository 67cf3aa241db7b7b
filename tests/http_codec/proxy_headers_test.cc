// The headers ringress writes into forwarded heads: hop-by-hop fields removed without ever
// touching the framing, and the framing written from what the parser understood.
#include "http/proxy_headers.h"

#include <gtest/gtest.h>

#include "codec_test_util.h"
#include "http/parser.h"

namespace ringress::http {
namespace {

using testing::describe_fields;
using testing::Slices;

class ProxyHeadersTest : public ::testing::Test {
 protected:
  // Parses `bytes` (one request head), then rewrites its headers as for an upstream; returns
  // the fields the upstream would get.
  std::string upstream_fields(std::string_view bytes, bool trusted = false) {
    core::BufferSlice in = slices.make(bytes);
    parser.reset();
    uint32_t offset = 0;
    EXPECT_EQ(parser.parse(in, offset), ParseStatus::head) << parser.error_reason();
    RequestHead& head = parser.head();
    exchange.request = &head;
    prepare_upstream_request(head.headers, exchange, settings, trusted, {}, false);
    return describe_fields(head.headers);
  }

  Slices slices;
  core::Arena arena;
  RequestParser parser{ParseLimits{}, arena};
  Exchange exchange{arena};
  ProxyHeaderSettings settings;

  void SetUp() override {
    exchange.client_ip = "192.0.2.9";
    settings.generate_request_id = false;
  }
};

TEST_F(ProxyHeadersTest, ConnectionNamingContentLengthKeepsIt) {
  // The smuggling request of issue 9: without its Content-Length the body would reach the
  // upstream as a second request.
  EXPECT_EQ(upstream_fields("POST / HTTP/1.1\r\nHost: a\r\nConnection: content-length\r\n"
                            "Content-Length: 36\r\n\r\n"),
            " | Host: a | Content-Length: 36 | X-Forwarded-For: 192.0.2.9"
            " | X-Forwarded-Proto: http");
}

TEST_F(ProxyHeadersTest, ConnectionNamingTransferEncodingKeepsChunked) {
  EXPECT_EQ(upstream_fields("POST / HTTP/1.1\r\nHost: a\r\nConnection: Transfer-Encoding\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n"),
            " | Host: a | Transfer-Encoding: chunked | X-Forwarded-For: 192.0.2.9"
            " | X-Forwarded-Proto: http");
}

TEST_F(ProxyHeadersTest, ConnectionNamingHostKeepsIt) {
  EXPECT_EQ(upstream_fields("GET / HTTP/1.1\r\nConnection: host, x-hop\r\nHost: a\r\n"
                            "X-Hop: 1\r\nX-End: 2\r\n\r\n"),
            " | Host: a | X-End: 2 | X-Forwarded-For: 192.0.2.9 | X-Forwarded-Proto: http");
}

TEST_F(ProxyHeadersTest, ContentLengthIsWrittenFromTheParsedLength) {
  EXPECT_EQ(upstream_fields("POST / HTTP/1.1\r\nContent-Length: 007\r\nHost: a\r\n\r\n"),
            " | Content-Length: 7 | Host: a | X-Forwarded-For: 192.0.2.9"
            " | X-Forwarded-Proto: http");
}

TEST_F(ProxyHeadersTest, ChunkedIsWrittenOnceFromTheParsedFraming) {
  EXPECT_EQ(upstream_fields("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: a\r\n\r\n"),
            " | Host: a | Transfer-Encoding: chunked | X-Forwarded-For: 192.0.2.9"
            " | X-Forwarded-Proto: http");
}

TEST_F(ProxyHeadersTest, NoFramingFieldsForARequestWithoutABody) {
  EXPECT_EQ(upstream_fields("GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
            " | Host: a | X-Forwarded-For: 192.0.2.9 | X-Forwarded-Proto: http");
}

// Issue 9, item 11: a list sent on several lines is one list (RFC 9110 §5.3).
TEST_F(ProxyHeadersTest, ForwardedForLinesFromATrustedProxyAreJoinedInOrder) {
  EXPECT_EQ(
      upstream_fields("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.1\r\n"
                      "X-A: 1\r\nX-Forwarded-For:\r\nx-forwarded-for: 10.0.0.1, 10.0.0.2\r\n\r\n",
                      true),
      " | Host: a | X-Forwarded-For: 203.0.113.1, 10.0.0.1, 10.0.0.2, 192.0.2.9 | X-A: 1"
      " | X-Forwarded-Proto: http");
}

TEST_F(ProxyHeadersTest, ForwardedForLinesFromAnUntrustedClientAreReplaced) {
  EXPECT_EQ(upstream_fields("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.1\r\n"
                            "X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\n\r\n"),
            " | Host: a | X-Forwarded-For: 192.0.2.9 | X-Forwarded-Proto: http");
}

TEST_F(ProxyHeadersTest, ForwardedProtoFromATrustedProxyIsItsFirstElement) {
  EXPECT_EQ(upstream_fields("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-Proto:\r\n"
                            "X-Forwarded-Proto: https, http\r\nX-Forwarded-Proto: http\r\n\r\n",
                            true),
            " | Host: a | X-Forwarded-Proto: https | X-Forwarded-For: 192.0.2.9");
  EXPECT_EQ(upstream_fields("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-Proto: ,\r\n\r\n", true),
            " | Host: a | X-Forwarded-Proto: http | X-Forwarded-For: 192.0.2.9");
}

TEST_F(ProxyHeadersTest, ViaLinesAreJoinedInOrderBeforeOurs) {
  settings.via = "1.1 edge";
  EXPECT_EQ(upstream_fields("GET / HTTP/1.1\r\nHost: a\r\nVia: 1.0 first\r\nX-A: 1\r\n"
                            "via: 1.1 second, 1.1 third\r\n\r\n"),
            " | Host: a | Via: 1.0 first, 1.1 second, 1.1 third, 1.1 edge | X-A: 1"
            " | X-Forwarded-For: 192.0.2.9 | X-Forwarded-Proto: http");
  // Without a Via of our own, the lines go on as they came.
  settings.via.clear();
  EXPECT_EQ(upstream_fields("GET / HTTP/1.1\r\nHost: a\r\nVia: 1.0 first\r\n"
                            "Via: 1.1 second\r\n\r\n"),
            " | Host: a | Via: 1.0 first | Via: 1.1 second | X-Forwarded-For: 192.0.2.9"
            " | X-Forwarded-Proto: http");
}

TEST_F(ProxyHeadersTest, OnlyTheRequestIdThatIsLoggedIsForwarded) {
  EXPECT_EQ(
      upstream_fields("GET / HTTP/1.1\r\nHost: a\r\nX-Request-ID: one\r\n"
                      "X-Request-ID: two\r\n\r\n"),
      " | Host: a | X-Request-Id: one | X-Forwarded-For: 192.0.2.9 | X-Forwarded-Proto: http");
  EXPECT_EQ(exchange.request_id, "one");
}

TEST_F(ProxyHeadersTest, RemoveHopByHopNeverRemovesFramingOrHost) {
  HeaderMap h;
  h.add("Connection", "Content-Length, TRANSFER-ENCODING, Host, X-Hop");
  h.add("Host", "a");
  h.add("Content-Length", "3");
  h.add("X-Hop", "1");
  remove_hop_by_hop(h, false);
  EXPECT_EQ(describe_fields(h), " | Host: a | Content-Length: 3");
}

TEST_F(ProxyHeadersTest, ResponseKeepsContentLengthNamedByConnection) {
  HeaderMap h;
  h.add("Connection", "content-length, transfer-encoding");
  h.add("Content-Length", "5");
  h.add("X-A", "b");
  prepare_downstream_response(h, settings, false);
  EXPECT_EQ(describe_fields(h), " | Content-Length: 5 | X-A: b");
}

TEST_F(ProxyHeadersTest, ResponseTransferEncodingIsLeftToTheCaller) {
  HeaderMap h;
  h.add("Connection", "transfer-encoding");
  h.add("Transfer-Encoding", "chunked");
  prepare_downstream_response(h, settings, false);
  EXPECT_EQ(describe_fields(h), "");
}

}  // namespace
}  // namespace ringress::http
