// Requests that ringress refuses (request smuggling vectors, malformed syntax, limits): each
// must end in an error with the exact status, never in a head that could be forwarded.
#include <gtest/gtest.h>

#include "codec_test_util.h"
#include "http/parser.h"

namespace ringress::http {
namespace {

using testing::drive;
using testing::Slices;
using Log = std::vector<std::string>;

class RejectTest : public ::testing::Test {
 protected:
  // The transcript of parsing `bytes` in one slice.
  Log parse(std::string_view bytes) {
    RequestParser p(limits, arena);
    return drive(p, {slices.make(bytes)});
  }
  // The head of `bytes` is rejected: the only event is the error.
  void expect_head_rejected(std::string_view bytes, uint16_t status, std::string_view reason) {
    EXPECT_EQ(parse(bytes), (Log{"error " + std::to_string(status) + " " + std::string(reason)}))
        << bytes;
  }
  // The head is accepted, the body (chunk framing or trailers) is rejected.
  void expect_body_rejected(std::string_view bytes, uint16_t status, std::string_view reason) {
    Log log = parse(bytes);
    ASSERT_GE(log.size(), 2u) << bytes;
    EXPECT_EQ(log.front().rfind("head ", 0), 0u) << bytes;
    EXPECT_EQ(log.back(), "error " + std::to_string(status) + " " + std::string(reason)) << bytes;
    for (const auto& e : log) EXPECT_EQ(e.rfind("complete", 0), std::string::npos) << bytes;
  }

  Slices slices;
  core::Arena arena;
  ParseLimits limits;
};

constexpr std::string_view kChunkedHead =
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string chunked(std::string_view body) { return std::string(kChunkedHead) + std::string(body); }

// --- Content-Length / Transfer-Encoding ---

TEST_F(RejectTest, ContentLengthThenTransferEncoding) {
  expect_head_rejected(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\n",
      400, "Content-Length can't be present with Transfer-Encoding");
}

TEST_F(RejectTest, TransferEncodingThenContentLength) {
  expect_head_rejected(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
      "0\r\n\r\n",
      400, "Content-Length can't be present with Transfer-Encoding");
}

TEST_F(RejectTest, ContentLengthWithNonChunkedTransferEncoding) {
  expect_head_rejected(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc", 400,
      "Content-Length can't be present with Transfer-Encoding");
}

TEST_F(RejectTest, IdenticalDuplicateContentLength) {
  expect_head_rejected(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400,
      "Duplicate Content-Length");
}

TEST_F(RejectTest, DifferingDuplicateContentLength) {
  expect_head_rejected(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\ncontent-length: 30\r\n\r\nabc", 400,
      "Duplicate Content-Length");
}

TEST_F(RejectTest, ContentLengthList) {
  expect_head_rejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", 400,
                       "Invalid character in Content-Length");
}

TEST_F(RejectTest, NegativeContentLength) {
  expect_head_rejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -3\r\n\r\nabc", 400,
                       "Invalid character in Content-Length");
}

TEST_F(RejectTest, PlusSignedContentLength) {
  expect_head_rejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", 400,
                       "Invalid character in Content-Length");
}

TEST_F(RejectTest, OverflowingContentLength) {
  expect_head_rejected(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\nabc", 400,
      "Content-Length overflow");
}

TEST_F(RejectTest, HexContentLength) {
  expect_head_rejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\nabc", 400,
                       "Invalid character in Content-Length");
}

TEST_F(RejectTest, EmptyContentLength) {
  expect_head_rejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400,
                       "Empty Content-Length");
}

TEST_F(RejectTest, TransferCodingBeforeChunkedIsNotImplemented) {
  expect_head_rejected(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501,
      "transfer coding other than chunked");
}

TEST_F(RejectTest, TransferCodingBeforeChunkedOnTwoLinesIsNotImplemented) {
  expect_head_rejected(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"
      "\r\n0\r\n\r\n",
      501, "transfer coding other than chunked");
}

TEST_F(RejectTest, ChunkedNotLast) {
  expect_head_rejected(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400,
      "Invalid `Transfer-Encoding` header value");
}

TEST_F(RejectTest, ChunkedTwice) {
  expect_head_rejected(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
      "\r\n0\r\n\r\n",
      400, "Invalid `Transfer-Encoding` header value");
}

TEST_F(RejectTest, TransferEncodingWithoutChunked) {
  expect_head_rejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabc", 400,
                       "chunked is not the final transfer coding");
}

TEST_F(RejectTest, TransferEncodingLookalike) {
  expect_head_rejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
                       400, "chunked is not the final transfer coding");
}

TEST_F(RejectTest, TransferEncodingWithEmptyElement) {
  expect_head_rejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n",
                       400, "chunked is not the final transfer coding");
}

TEST_F(RejectTest, EmptyTransferEncoding) {
  expect_head_rejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n0\r\n\r\n", 400,
                       "chunked is not the final transfer coding");
}

TEST_F(RejectTest, TransferEncodingInHttp10) {
  expect_head_rejected("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
                       "Transfer-Encoding in an HTTP/1.0 request");
}

TEST_F(RejectTest, ConnectWithABody) {
  expect_head_rejected("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 5\r\n\r\nhello",
                       400, "CONNECT with a body");
}

// --- Chunk framing ---

TEST_F(RejectTest, NonHexChunkSize) {
  expect_body_rejected(chunked("zz\r\n\r\n"), 400, "Invalid character in chunk size");
}

TEST_F(RejectTest, OverflowingChunkSize) {
  expect_body_rejected(chunked("1ffffffffffffffff\r\nabc\r\n0\r\n\r\n"), 400,
                       "Chunk size overflow");
}

TEST_F(RejectTest, NegativeChunkSize) {
  expect_body_rejected(chunked("-3\r\nabc\r\n0\r\n\r\n"), 400, "Invalid character in chunk size");
}

TEST_F(RejectTest, PrefixedChunkSize) {
  expect_body_rejected(chunked("0x3\r\nabc\r\n0\r\n\r\n"), 400, "Invalid character in chunk size");
}

TEST_F(RejectTest, EmptyChunkSize) {
  expect_body_rejected(chunked("\r\nabc\r\n0\r\n\r\n"), 400, "Invalid character in chunk size");
}

TEST_F(RejectTest, WhitespaceAfterChunkSize) {
  expect_body_rejected(chunked("3 \r\nabc\r\n0\r\n\r\n"), 400, "Invalid character in chunk size");
}

TEST_F(RejectTest, ChunkSizeEndingInBareLf) {
  expect_body_rejected(chunked("3\nabc\r\n0\r\n\r\n"), 400, "Invalid character in chunk size");
}

TEST_F(RejectTest, ChunkDataLongerThanItsSize) {
  expect_body_rejected(chunked("3\r\nabcd\r\n0\r\n\r\n"), 400, "Expected CRLF after chunk");
}

TEST_F(RejectTest, ChunkDataEndingInBareLf) {
  expect_body_rejected(chunked("3\r\nabc\n0\r\n\r\n"), 400, "Expected CRLF after chunk");
}

TEST_F(RejectTest, ControlCharacterInChunkExtension) {
  expect_body_rejected(chunked("3;a=\x01\r\nabc\r\n0\r\n\r\n"), 400, "control character");
}

TEST_F(RejectTest, OverlongChunkExtension) {
  expect_body_rejected(chunked("3;a=" + std::string(5000, 'b') + "\r\nabc\r\n0\r\n\r\n"), 400,
                       "chunk size line too long");
}

TEST_F(RejectTest, OverlongChunkExtensionAcrossSlices) {
  RequestParser p(limits, arena);
  std::vector<core::BufferSlice> in;
  in.push_back(slices.make(chunked("3;a=")));
  for (int i = 0; i < 10; ++i) in.push_back(slices.make(std::string(1000, 'b')));
  Log log = drive(p, in);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log.back(), "error 400 chunk size line too long");
}

TEST_F(RejectTest, MalformedChunkExtensions) {
  expect_body_rejected(chunked("3;a=\"b\r\nabc\r\n0\r\n\r\n"), 400,
                       "unterminated quoted-string in chunk extension");
  expect_body_rejected(chunked("3;a=\"\\\x01\"\r\nabc\r\n0\r\n\r\n"), 400, "control character");
  expect_body_rejected(chunked("3;\r\nabc\r\n0\r\n\r\n"), 400,
                       "Invalid character in chunk extensions");
  expect_body_rejected(chunked("3;a=\r\nabc\r\n0\r\n\r\n"), 400,
                       "Invalid character in chunk extensions");
  expect_body_rejected(chunked("3;a=b \r\nabc\r\n0\r\n\r\n"), 400,
                       "Invalid character in chunk extensions");
  expect_body_rejected(chunked("3;a b\r\nabc\r\n0\r\n\r\n"), 400,
                       "Invalid character in chunk extensions");
  expect_body_rejected(chunked("3;a=b\nabc\r\n0\r\n\r\n"), 400, "bare LF as line terminator");
  expect_body_rejected(chunked("3;a=b\rabc\r\n0\r\n\r\n"), 400, "CR not followed by LF");
  expect_body_rejected(chunked("3\r\nabc\r\n0;a=\"\r\n\r\n"), 400,
                       "unterminated quoted-string in chunk extension");
}

TEST_F(RejectTest, SixtyFourKibChunkExtension) {
  expect_body_rejected(chunked("3;a=" + std::string(64 * 1024, 'b') + "\r\nabc\r\n0\r\n\r\n"), 400,
                       "chunk size line too long");
}

TEST_F(RejectTest, LastChunkEndingInBareLf) {
  expect_body_rejected(chunked("3\r\nabc\r\n0\n\r\n"), 400, "Invalid character in chunk size");
}

TEST_F(RejectTest, TrailerSectionEndingInBareLf) {
  expect_body_rejected(chunked("3\r\nabc\r\n0\r\n\n"), 400, "bare LF as line terminator");
}

TEST_F(RejectTest, TrailerEndingInBareLf) {
  expect_body_rejected(chunked("3\r\nabc\r\n0\r\nX: y\n\r\n"), 400, "Invalid header value char");
}

TEST_F(RejectTest, FoldedTrailer) {
  expect_body_rejected(chunked("3\r\nabc\r\n0\r\nX: y\r\n z\r\n\r\n"), 400,
                       "obs-fold (header line starts with whitespace)");
}

TEST_F(RejectTest, ContentLengthInTrailers) {
  expect_body_rejected(chunked("3\r\nabc\r\n0\r\nContent-Length: 5\r\n\r\n"), 400,
                       "Content-Length, Transfer-Encoding or Host in trailers");
}

TEST_F(RejectTest, TransferEncodingInTrailers) {
  // llhttp already counts it as a second "chunked".
  expect_body_rejected(chunked("0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400,
                       "Invalid `Transfer-Encoding` header value");
}

TEST_F(RejectTest, HostInTrailers) {
  expect_body_rejected(chunked("0\r\nHost: evil\r\n\r\n"), 400,
                       "Content-Length, Transfer-Encoding or Host in trailers");
}

// --- Line terminators and folding ---

TEST_F(RejectTest, BareLfAfterRequestLine) {
  expect_head_rejected("GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF as line terminator");
}

TEST_F(RejectTest, BareLfAfterHeader) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", 400, "Invalid header value char");
}

TEST_F(RejectTest, BareLfEndingTheHead) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\r\n\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
                       400, "bare LF as line terminator");
}

TEST_F(RejectTest, BareLfOnlyHead) {
  expect_head_rejected("GET / HTTP/1.1\nHost: a\n\n", 400, "bare LF as line terminator");
}

TEST_F(RejectTest, BareLfBeforeRequestLine) {
  expect_head_rejected("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bare LF as line terminator");
}

TEST_F(RejectTest, LoneCrInHeaderValue) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400,
                       "Missing expected LF after header value");
}

TEST_F(RejectTest, LoneCrEndingTheHead) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n\r\n", 400,
                       "Expected LF after headers");
}

TEST_F(RejectTest, ObsFold) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400,
                       "obs-fold (header line starts with whitespace)");
}

TEST_F(RejectTest, ObsFoldWithTab) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", 400,
                       "obs-fold (header line starts with whitespace)");
}

TEST_F(RejectTest, WhitespaceBeforeFirstHeader) {
  expect_head_rejected("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400,
                       "obs-fold (header line starts with whitespace)");
}

// --- Field syntax ---

TEST_F(RejectTest, NulInHeaderValue) {
  static constexpr char kRequest[] = "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n";
  expect_head_rejected(std::string_view(kRequest, sizeof(kRequest) - 1), 400,
                       "Invalid header value char");
}

TEST_F(RejectTest, ControlCharacterInHeaderValue) {
  expect_head_rejected(
      "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01"
      "b\r\n\r\n",
      400, "Invalid header value char");
}

TEST_F(RejectTest, DelInHeaderValue) {
  expect_head_rejected(
      "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f"
      "b\r\n\r\n",
      400, "Invalid header value char");
}

TEST_F(RejectTest, EscapeInHeaderValue) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\r\nX: a\x1b[0m\r\n\r\n", 400,
                       "Invalid header value char");
}

TEST_F(RejectTest, InvalidCharacterInHeaderName) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\r\nX(y): b\r\n\r\n", 400, "Invalid header token");
}

TEST_F(RejectTest, NonAsciiInHeaderName) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\r\nX\xc3\xa9: b\r\n\r\n", 400,
                       "Invalid header token");
}

TEST_F(RejectTest, SpaceBetweenHeaderNameAndColon) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", 400,
                       "Invalid header field char");
}

TEST_F(RejectTest, TabBetweenHeaderNameAndColon) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400, "Invalid header token");
}

TEST_F(RejectTest, HeaderLineWithoutColon) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400, "Invalid header token");
}

TEST_F(RejectTest, EmptyHeaderName) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400, "empty header name");
}

// --- Request line ---

TEST_F(RejectTest, UnknownMethodIsNotImplemented) {
  expect_head_rejected("FOO / HTTP/1.1\r\nHost: a\r\n\r\n", 501, "Invalid method encountered");
}

TEST_F(RejectTest, LowercaseMethodIsNotImplemented) {
  expect_head_rejected("get / HTTP/1.1\r\nHost: a\r\n\r\n", 501, "Invalid method encountered");
}

TEST_F(RejectTest, MethodWithKnownPrefixIsNotImplemented) {
  expect_head_rejected("GETX / HTTP/1.1\r\nHost: a\r\n\r\n", 501, "Expected space after method");
}

TEST_F(RejectTest, InvalidCharacterInMethod) {
  expect_head_rejected("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "Invalid method encountered");
}

TEST_F(RejectTest, TabAfterMethod) {
  expect_head_rejected("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "Expected space after method");
}

TEST_F(RejectTest, TabInTarget) {
  Log log = parse("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].rfind("error 400 ", 0), 0u) << log[0];
}

TEST_F(RejectTest, LeadingSpaceBeforeMethod) {
  expect_head_rejected(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "Invalid method encountered");
}

TEST_F(RejectTest, TwoSpacesBeforeTarget) {
  expect_head_rejected("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed request line");
}

TEST_F(RejectTest, TwoSpacesBeforeVersion) {
  expect_head_rejected("GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed request line");
}

TEST_F(RejectTest, SpaceInTarget) {
  expect_head_rejected("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "Expected HTTP/");
}

TEST_F(RejectTest, TrailingSpaceAfterVersion) {
  expect_head_rejected("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "Expected CRLF after version");
}

TEST_F(RejectTest, MissingVersion) {
  expect_head_rejected("GET /\r\nHost: a\r\n\r\n", 400, "malformed request line");
}

TEST_F(RejectTest, UnsupportedMinorVersion) {
  expect_head_rejected("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, "Invalid HTTP version");
}

TEST_F(RejectTest, Http2Version) {
  expect_head_rejected("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP version not supported");
}

TEST_F(RejectTest, Http09Version) {
  expect_head_rejected("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505, "HTTP version not supported");
}

TEST_F(RejectTest, Http2Preface) {
  expect_head_rejected("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "HTTP/2 connection preface");
}

TEST_F(RejectTest, MalformedMinorVersion) {
  expect_head_rejected("GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400, "Invalid minor version");
}

TEST_F(RejectTest, MultiDigitMajorVersion) {
  expect_head_rejected("GET / HTTP/11.1\r\nHost: a\r\n\r\n", 400, "Expected dot");
}

TEST_F(RejectTest, LowercaseProtocolName) {
  expect_head_rejected("GET / http/1.1\r\nHost: a\r\n\r\n", 400, "Expected HTTP/");
}

TEST_F(RejectTest, RtspProtocol) {
  expect_head_rejected("GET / RTSP/1.0\r\nHost: a\r\n\r\n", 400,
                       "request line protocol is not HTTP");
}

TEST_F(RejectTest, RtspMethod) {
  expect_head_rejected("PLAY / HTTP/1.1\r\nHost: a\r\n\r\n", 400,
                       "Invalid method for HTTP/x.x request");
}

// --- Host ---

TEST_F(RejectTest, MissingHostInHttp11) {
  expect_head_rejected("GET / HTTP/1.1\r\nX: a\r\n\r\n", 400, "missing Host header");
}

TEST_F(RejectTest, TwoHostHeaders) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
                       "multiple Host headers");
}

TEST_F(RejectTest, TwoIdenticalHostHeaders) {
  expect_head_rejected("GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", 400,
                       "multiple Host headers");
}

TEST_F(RejectTest, HostWithPath) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "invalid Host header");
}

TEST_F(RejectTest, HostWithUserinfo) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400, "invalid Host header");
}

TEST_F(RejectTest, HostWithSpace) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "invalid Host header");
}

TEST_F(RejectTest, HostWithBadPort) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a:65536\r\n\r\n", 400, "invalid Host header");
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a:\r\n\r\n", 400, "invalid Host header");
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", 400, "invalid Host header");
}

TEST_F(RejectTest, HostWithTwoPorts) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", 400, "invalid Host header");
}

TEST_F(RejectTest, HostWithBadIpLiteral) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, "invalid Host header");
  expect_head_rejected("GET / HTTP/1.1\r\nHost: []\r\n\r\n", 400, "invalid Host header");
  expect_head_rejected("GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", 400, "invalid Host header");
}

TEST_F(RejectTest, HostWithBadPercentEncoding) {
  expect_head_rejected("GET / HTTP/1.1\r\nHost: a%4\r\n\r\n", 400, "invalid Host header");
}

// --- Request-target ---

TEST_F(RejectTest, TargetWithoutSlash) {
  expect_head_rejected("GET a.com/x HTTP/1.1\r\nHost: a\r\n\r\n", 400,
                       "Unexpected char in url schema");
}

TEST_F(RejectTest, TargetWithFragment) {
  expect_head_rejected("GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "fragment in request-target");
}

TEST_F(RejectTest, ControlCharacterInTarget) {
  expect_head_rejected("GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400, "Invalid char in url path");
}

TEST_F(RejectTest, NonAsciiInTarget) {
  expect_head_rejected("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400,
                       "Invalid char in url path");
}

TEST_F(RejectTest, AsteriskOnGet) {
  expect_head_rejected("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400,
                       "asterisk-form target on a method other than OPTIONS");
}

TEST_F(RejectTest, AbsoluteFormWithOtherScheme) {
  expect_head_rejected("GET ftp://a.com/x HTTP/1.1\r\nHost: a.com\r\n\r\n", 400,
                       "request-target is neither origin-form nor absolute-form");
}

TEST_F(RejectTest, AbsoluteFormWithUserinfo) {
  expect_head_rejected("GET http://u@a.com/ HTTP/1.1\r\nHost: a.com\r\n\r\n", 400,
                       "invalid authority in request-target");
}

TEST_F(RejectTest, AbsoluteFormWithEmptyAuthority) {
  expect_head_rejected("GET http:///x HTTP/1.1\r\nHost: a.com\r\n\r\n", 400,
                       "invalid authority in request-target");
}

TEST_F(RejectTest, AbsoluteFormDisagreeingWithHost) {
  expect_head_rejected("GET http://public.example/ HTTP/1.1\r\nHost: internal.example\r\n\r\n", 400,
                       "Host header does not match the request-target");
}

TEST_F(RejectTest, AbsoluteFormWithoutHostInHttp11) {
  expect_head_rejected("GET http://a.com/ HTTP/1.1\r\n\r\n", 400, "missing Host header");
}

TEST_F(RejectTest, ConnectWithoutPort) {
  expect_head_rejected("CONNECT a.com HTTP/1.1\r\nHost: a.com\r\n\r\n", 400,
                       "CONNECT target is not host:port");
}

TEST_F(RejectTest, ConnectDisagreeingWithHost) {
  expect_head_rejected("CONNECT a.com:443 HTTP/1.1\r\nHost: b.com:443\r\n\r\n", 400,
                       "Host header does not match the request-target");
}

// --- Connection ---

TEST_F(RejectTest, DataAfterConnectionClose) {
  Log log = parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[1], "complete");
  EXPECT_EQ(log[2], "error 400 Data after `Connection: close`");
}

}  // namespace
}  // namespace ringress::http
