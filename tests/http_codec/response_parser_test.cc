// ResponseParser: bodies by framing, answers without a body, interim responses, the end at
// connection close, upgrades, and the malformed responses it refuses (always 502).
#include <gtest/gtest.h>

#include "codec_test_util.h"
#include "http/parser.h"

namespace ringress::http {
namespace {

using testing::drive;
using testing::Slices;
using Log = std::vector<std::string>;

class ResponseParserTest : public ::testing::Test {
 protected:
  Log parse(std::string_view bytes, std::string_view method = "GET") {
    ResponseParser p(limits, arena);
    p.expect_response_to(method);
    return drive(p, {slices.make(bytes)});
  }
  void expect_rejected(std::string_view bytes, std::string_view reason) {
    Log log = parse(bytes);
    ASSERT_FALSE(log.empty()) << bytes;
    EXPECT_EQ(log.back(), "error 502 " + std::string(reason)) << bytes;
    for (const auto& e : log) EXPECT_EQ(e.rfind("complete", 0), std::string::npos) << bytes;
  }

  Slices slices;
  core::Arena arena;
  ParseLimits limits;
};

TEST_F(ResponseParserTest, ContentLengthBody) {
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"),
            (Log{"head 200 OK v1.1 ka=1 chunked=0 cl=5 upgrade=0 no_body=0 | Content-Type: "
                 "text/plain | Content-Length: 5",
                 "body hello", "complete"}));
}

TEST_F(ResponseParserTest, ReasonPhraseMayBeEmptyOrMissingOrHoldSpaces) {
  EXPECT_EQ(parse("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n").front(),
            "head 404  v1.1 ka=1 chunked=0 cl=0 upgrade=0 no_body=0 | Content-Length: 0");
  EXPECT_EQ(parse("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n").front(),
            "head 404  v1.1 ka=1 chunked=0 cl=0 upgrade=0 no_body=0 | Content-Length: 0");
  EXPECT_EQ(parse("HTTP/1.1 404 Not  \tFound\r\nContent-Length: 0\r\n\r\n").front(),
            "head 404 Not  \tFound v1.1 ka=1 chunked=0 cl=0 upgrade=0 no_body=0 | "
            "Content-Length: 0");
}

TEST_F(ResponseParserTest, ChunkedWithTrailers) {
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\nGrpc-Status: 0\r\n\r\n"),
            (Log{"head 200 OK v1.1 ka=1 chunked=1 cl=- upgrade=0 no_body=0 | Transfer-Encoding: "
                 "chunked",
                 "body hello world", "complete | Grpc-Status: 0"}));
}

TEST_F(ResponseParserTest, ChunkExtensionsTheRfcAllows) {
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "3;name=value;q=\"quoted\"\r\nabc\r\n2 ;a= \"\\\"\" ; b\r\nde\r\n0;x=y\r\n\r\n"),
            (Log{"head 200 OK v1.1 ka=1 chunked=1 cl=- upgrade=0 no_body=0 | Transfer-Encoding: "
                 "chunked",
                 "body abcde", "complete"}));
}

TEST_F(ResponseParserTest, MalformedChunkLinesAreRefused) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  expect_rejected(head + "3;a=\"b\r\nabc\r\n0\r\n\r\n",
                  "unterminated quoted-string in chunk extension");
  expect_rejected(head + "3;a=b \r\nabc\r\n0\r\n\r\n", "Invalid character in chunk extensions");
  expect_rejected(head + "3;a=b\nabc\r\n0\r\n\r\n", "bare LF as line terminator");
  expect_rejected(head + "3;a=\x01\r\nabc\r\n0\r\n\r\n", "control character");
  expect_rejected(head + "1ffffffffffffffff\r\n", "Chunk size overflow");
  expect_rejected(head + "3;a=" + std::string(64 * 1024, 'b') + "\r\nabc\r\n0\r\n\r\n",
                  "chunk size line too long");
}

TEST_F(ResponseParserTest, HeadResponseHasNoBody) {
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"
                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                  "HEAD"),
            (Log{"head 200 OK v1.1 ka=1 chunked=0 cl=1234 upgrade=0 no_body=1 | Content-Length: "
                 "1234",
                 "complete",
                 "head 200 OK v1.1 ka=1 chunked=0 cl=- upgrade=0 no_body=1 | Transfer-Encoding: "
                 "chunked",
                 "complete"}));
}

TEST_F(ResponseParserTest, NoContentHasNoBodyWhateverTheHeadersSay) {
  EXPECT_EQ(parse("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
                  "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
            (Log{"head 204 No Content v1.1 ka=1 chunked=0 cl=5 upgrade=0 no_body=1 | "
                 "Content-Length: 5",
                 "complete",
                 "head 200 OK v1.1 ka=1 chunked=0 cl=1 upgrade=0 no_body=0 | Content-Length: 1",
                 "body x", "complete"}));
}

TEST_F(ResponseParserTest, NotModifiedHasNoBody) {
  EXPECT_EQ(parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n"),
            (Log{"head 304 Not Modified v1.1 ka=1 chunked=0 cl=100 upgrade=0 no_body=1 | "
                 "Content-Length: 100",
                 "complete"}));
  EXPECT_EQ(parse("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"),
            (Log{"head 304 Not Modified v1.1 ka=1 chunked=0 cl=- upgrade=0 no_body=1 | "
                 "Transfer-Encoding: chunked",
                 "complete"}));
  EXPECT_EQ(parse("HTTP/1.1 204 No Content\r\n\r\n").back(), "complete");
}

TEST_F(ResponseParserTest, InterimResponsesThenTheFinalOne) {
  EXPECT_EQ(
      parse("HTTP/1.1 100 Continue\r\n\r\n"
            "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
            "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"),
      (Log{"head 100 Continue v1.1 ka=1 chunked=0 cl=- upgrade=0 no_body=1", "complete",
           "head 103 Early Hints v1.1 ka=1 chunked=0 cl=- upgrade=0 no_body=1 | Link: "
           "</s.css>; rel=preload",
           "complete",
           "head 201 Created v1.1 ka=1 chunked=0 cl=2 upgrade=0 no_body=0 | Content-Length: 2",
           "body ok", "complete"}));
}

TEST_F(ResponseParserTest, HeadExpectationHoldsAcrossInterimResponses) {
  EXPECT_EQ(
      parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", "HEAD")
          .back(),
      "complete");
}

TEST_F(ResponseParserTest, BodyUntilConnectionClose) {
  ResponseParser p(limits, arena);
  p.expect_response_to("GET");
  Log log = drive(p, slices.split("HTTP/1.1 200 OK\r\nX: y\r\n\r\nsome bytes", {30}));
  EXPECT_EQ(log, (Log{"head 200 OK v1.1 ka=0 chunked=0 cl=- upgrade=0 no_body=0 | X: y",
                      "body some bytes"}));
  EXPECT_TRUE(p.in_message());
  EXPECT_EQ(p.finish_on_eof(), ParseStatus::message_complete);
  EXPECT_FALSE(p.in_message());
}

TEST_F(ResponseParserTest, Http10BodyUntilConnectionClose) {
  ResponseParser p(limits, arena);
  p.expect_response_to("GET");
  Log log = drive(p, {slices.make("HTTP/1.0 200 OK\r\n\r\nabc")});
  EXPECT_EQ(log, (Log{"head 200 OK v1.0 ka=0 chunked=0 cl=- upgrade=0 no_body=0", "body abc"}));
  EXPECT_EQ(p.finish_on_eof(), ParseStatus::message_complete);
}

TEST_F(ResponseParserTest, CloseBeforeTheLengthIsAnError) {
  ResponseParser p(limits, arena);
  p.expect_response_to("GET");
  drive(p, {slices.make("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")});
  EXPECT_EQ(p.finish_on_eof(), ParseStatus::error);
  EXPECT_EQ(p.error_status(), 502);
  EXPECT_EQ(p.error_reason(), "connection closed in the middle of a response");
}

TEST_F(ResponseParserTest, CloseInTheHeadIsAnError) {
  ResponseParser p(limits, arena);
  p.expect_response_to("GET");
  drive(p, {slices.make("HTTP/1.1 200 OK\r\nContent-Le")});
  EXPECT_EQ(p.finish_on_eof(), ParseStatus::error);
  EXPECT_EQ(p.error_status(), 502);
}

TEST_F(ResponseParserTest, CloseBeforeAnyResponseIsAnError) {
  ResponseParser p(limits, arena);
  p.expect_response_to("GET");
  EXPECT_EQ(p.finish_on_eof(), ParseStatus::error);
  EXPECT_EQ(p.error_reason(), "connection closed before a response");
}

TEST_F(ResponseParserTest, KeepAliveByVersionAndConnection) {
  EXPECT_NE(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")[0].find(" ka=1 "),
            std::string::npos);
  EXPECT_NE(
      parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")[0].find(" ka=0 "),
      std::string::npos);
  EXPECT_NE(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")[0].find(" ka=0 "),
            std::string::npos);
  EXPECT_NE(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")[0].find(
                " ka=1 "),
            std::string::npos);
}

TEST_F(ResponseParserTest, SwitchingProtocols) {
  EXPECT_EQ(parse("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                  "Upgrade: websocket\r\n\r\n\x81\x02hi"),
            (Log{"head 101 Switching Protocols v1.1 ka=1 chunked=0 cl=- upgrade=1 no_body=1 | "
                 "Connection: Upgrade | Upgrade: websocket",
                 "upgrade", "rest \x81\x02hi"}));
}

// RFC 9110 7.6.1: OWS (SP or HTAB) around a Connection option; llhttp misses "Upgrade<HTAB>".
TEST_F(ResponseParserTest, ConnectionOptionsFollowedByTabsCount) {
  EXPECT_EQ(parse("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\t\t\r\n"
                  "Upgrade: websocket\r\n\r\nws"),
            (Log{"head 101 Switching Protocols v1.1 ka=1 chunked=0 cl=- upgrade=1 no_body=1 | "
                 "Connection: Upgrade | Upgrade: websocket",
                 "upgrade", "rest ws"}));
  Log log = parse("HTTP/1.1 200 OK\r\nConnection: close\t\r\nContent-Length: 1\r\n\r\nx");
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log[0].find(" ka=0 "), std::string::npos) << log[0];
  // No body and upgrade fields on a 200: still not a protocol switch.
  log = parse("HTTP/1.1 200 OK\r\nConnection: upgrade\r\nUpgrade: h2c\r\nContent-Length: 0\r\n"
              "\r\n");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[0].find(" upgrade=0 "), std::string::npos) << log[0];
  EXPECT_EQ(log[1], "complete");
}

TEST_F(ResponseParserTest, SwitchingProtocolsWithoutUpgradeHeader) {
  expect_rejected("HTTP/1.1 101 Switching Protocols\r\n\r\n",
                  "101 without Connection: upgrade and Upgrade");
}

TEST_F(ResponseParserTest, UpgradeHeaderOnA200IsInformational) {
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nConnection: upgrade\r\nUpgrade: h2c\r\nContent-Length: 1\r\n"
                  "\r\nx"),
            (Log{"head 200 OK v1.1 ka=1 chunked=0 cl=1 upgrade=0 no_body=0 | Connection: upgrade "
                 "| Upgrade: h2c | Content-Length: 1",
                 "body x", "complete"}));
}

TEST_F(ResponseParserTest, ConnectEstablishedIsATunnel) {
  EXPECT_EQ(parse("HTTP/1.1 200 Connection Established\r\n\r\nTLS...", "CONNECT"),
            (Log{"head 200 Connection Established v1.1 ka=1 chunked=0 cl=- upgrade=1 no_body=1",
                 "upgrade", "rest TLS..."}));
}

TEST_F(ResponseParserTest, ConnectRefusedHasABody) {
  EXPECT_EQ(parse("HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno", "CONNECT"),
            (Log{"head 403 Forbidden v1.1 ka=1 chunked=0 cl=2 upgrade=0 no_body=0 | "
                 "Content-Length: 2",
                 "body no", "complete"}));
}

TEST_F(ResponseParserTest, ExpectationIsPerRequest) {
  ResponseParser p(limits, arena);
  p.expect_response_to("HEAD");
  core::BufferSlice a = slices.make("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n");
  EXPECT_EQ(drive(p, {a}).back(), "complete");
  p.expect_response_to("GET");
  core::BufferSlice b = slices.make("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(drive(p, {b}), (Log{"head 200 OK v1.1 ka=1 chunked=0 cl=3 upgrade=0 no_body=0 | "
                                "Content-Length: 3",
                                "body abc", "complete"}));
}

// --- Malformed responses: 502 ---

TEST_F(ResponseParserTest, ContentLengthWithTransferEncoding) {
  expect_rejected("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                  "Content-Length can't be present with Transfer-Encoding");
}

TEST_F(ResponseParserTest, DuplicateContentLength) {
  expect_rejected("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
                  "Duplicate Content-Length");
}

TEST_F(ResponseParserTest, TransferEncodingOtherThanChunked) {
  expect_rejected("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc",
                  "Transfer-Encoding other than chunked");
  expect_rejected("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                  "Transfer-Encoding other than chunked");
}

TEST_F(ResponseParserTest, TransferEncodingInHttp10) {
  expect_rejected("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                  "Transfer-Encoding in an HTTP/1.0 response");
}

TEST_F(ResponseParserTest, BadChunkSize) {
  expect_rejected("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                  "Invalid character in chunk size");
}

TEST_F(ResponseParserTest, BareLf) {
  expect_rejected("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", "bare LF as line terminator");
  expect_rejected("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n", "bare LF as line terminator");
}

TEST_F(ResponseParserTest, ObsFold) {
  expect_rejected("HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
                  "obs-fold (header line starts with whitespace)");
}

TEST_F(ResponseParserTest, ControlCharacterInReason) {
  expect_rejected("HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n", "control character");
}

TEST_F(ResponseParserTest, StatusCodeShape) {
  expect_rejected("HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n", "malformed status line");
  expect_rejected("HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n", "malformed status line");
  expect_rejected("HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n", "malformed status line");
  expect_rejected("HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n", "Invalid response status");
}

TEST_F(ResponseParserTest, StatusCodeRange) {
  expect_rejected("HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n", "invalid status code");
  expect_rejected("HTTP/1.1 600 High\r\nContent-Length: 0\r\n\r\n", "invalid status code");
}

TEST_F(ResponseParserTest, UnsupportedVersion) {
  expect_rejected("HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", "unsupported HTTP version");
  expect_rejected("HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", "Invalid HTTP version");
}

TEST_F(ResponseParserTest, NotHttp) { expect_rejected("SSH-2.0-OpenSSH\r\n", "Expected HTTP/"); }

TEST_F(ResponseParserTest, HeadTooLarge) {
  limits.max_head_bytes = 64;
  expect_rejected("HTTP/1.1 200 OK\r\nX: " + std::string(100, 'x') + "\r\n\r\n", "head too large");
}

TEST_F(ResponseParserTest, TooManyHeaders) {
  limits.max_header_count = 1;
  expect_rejected("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n", "too many header fields");
}

TEST_F(ResponseParserTest, DataAfterConnectionClose) {
  Log log = parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\nHTTP/1.1");
  EXPECT_EQ(log.back(), "error 502 Data after `Connection: close`");
}

}  // namespace
}  // namespace ringress::http
