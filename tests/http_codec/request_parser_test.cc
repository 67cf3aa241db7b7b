// RequestParser on valid input: heads, bodies, pipelining, keep-alive, upgrades, limits.
#include <gtest/gtest.h>

#include "codec_test_util.h"
#include "http/parser.h"

namespace ringress::http {
namespace {

using testing::drive;
using testing::Slices;
using Log = std::vector<std::string>;

class RequestParserTest : public ::testing::Test {
 protected:
  Log parse(std::string_view bytes) {
    RequestParser p(limits, arena);
    return drive(p, {slices.make(bytes)});
  }

  Slices slices;
  core::Arena arena;
  ParseLimits limits;
};

TEST_F(RequestParserTest, SimpleGet) {
  EXPECT_EQ(parse("GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            (Log{"head GET /index.html path=/index.html query= origin=/index.html v1.1 "
                 "host=example.com ka=1 chunked=0 cl=- upgrade=0 expect=0 absolute=0 | Host: "
                 "example.com",
                 "complete"}));
}

TEST_F(RequestParserTest, EventsAdvanceTheOffsetExactly) {
  RequestParser p(limits, arena);
  core::BufferSlice in = slices.make("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
  uint32_t off = 0;
  EXPECT_FALSE(p.in_message());
  EXPECT_EQ(p.parse(in, off), ParseStatus::head);
  EXPECT_EQ(off, 48u);
  EXPECT_TRUE(p.in_message());
  EXPECT_EQ(p.parse(in, off), ParseStatus::body);
  EXPECT_EQ(off, 51u);
  EXPECT_EQ(p.body().view(), "abc");
  EXPECT_EQ(p.body().data(), in.data() + 48);  // a sub-slice of the input, not a copy
  EXPECT_TRUE(p.in_message());
  // The end of the message comes without another byte.
  EXPECT_EQ(p.parse(in, off), ParseStatus::message_complete);
  EXPECT_EQ(off, 51u);
  EXPECT_FALSE(p.in_message());
  EXPECT_EQ(p.parse(in, off), ParseStatus::need_more);
}

TEST_F(RequestParserTest, HeadersKeepCaseOrderAndDuplicatesAndTrimWhitespace) {
  Log log = parse(
      "GET /p?x=1&y=%20 HTTP/1.1\r\nHost:a.example:8080\r\nX-Custom-CASE:   v1  \r\n"
      "x-custom-case:\tv2\t\r\nEmpty:\r\nSpaces:   \r\nCookie: a=b; c=d\r\n\r\n");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0],
            "head GET /p?x=1&y=%20 path=/p query=x=1&y=%20 origin=/p?x=1&y=%20 v1.1 "
            "host=a.example:8080 ka=1 chunked=0 cl=- upgrade=0 expect=0 absolute=0 | "
            "Host: a.example:8080 | X-Custom-CASE: v1 | x-custom-case: v2 | Empty:  | Spaces:  "
            "| Cookie: a=b; c=d");
}

TEST_F(RequestParserTest, HeaderValuesMayHoldObsText) {
  Log log = parse("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9 \x80\r\n\r\n");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[0].find("| X: caf\xc3\xa9 \x80"), std::string::npos);
}

TEST_F(RequestParserTest, ContentLengthBody) {
  EXPECT_EQ(parse("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 011\r\n\r\nhello world"),
            (Log{"head POST /up path=/up query= origin=/up v1.1 host=a ka=1 chunked=0 cl=11 "
                 "upgrade=0 expect=0 absolute=0 | Host: a | Content-Length: 011",
                 "body hello world", "complete"}));
}

TEST_F(RequestParserTest, ContentLengthZero) {
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"),
            (Log{"head POST / path=/ query= origin=/ v1.1 host=a ka=1 chunked=0 cl=0 upgrade=0 "
                 "expect=0 absolute=0 | Host: a | Content-Length: 0",
                 "complete"}));
}

TEST_F(RequestParserTest, ChunkedBodyWithExtensionsAndTrailers) {
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
                  "3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Sum: 42\r\nX-Other:  b \r\n\r\n"),
            (Log{"head POST / path=/ query= origin=/ v1.1 host=a ka=1 chunked=1 cl=- upgrade=0 "
                 "expect=0 absolute=0 | Host: a | Transfer-Encoding: Chunked",
                 "body abc0123456789", "complete | X-Sum: 42 | X-Other: b"}));
}

// RFC 9112 §7.1.1: any number of extensions, with or without values, tokens or quoted-strings
// (quoted-pairs included), BWS around ";" and "=" (issue 9: llhttp 8.1 refused the second
// extension after one with a value).
TEST_F(RequestParserTest, ChunkExtensionsTheRfcAllows) {
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "3;name=value;q=\"quoted\"\r\nabc\r\n"
                  "2 ; a ; b = c ;d=\"x;\\\"y\"\r\nde\r\n"
                  "1\t;\tflag\r\nf\r\n"
                  "0;last=\"\x80\"\r\nX-T: 1\r\n\r\n"),
            (Log{"head POST / path=/ query= origin=/ v1.1 host=a ka=1 chunked=1 cl=- upgrade=0 "
                 "expect=0 absolute=0 | Host: a | Transfer-Encoding: chunked",
                 "body abcdef", "complete | X-T: 1"}));
}

TEST_F(RequestParserTest, ChunkedBodyPiecesAreSubSlicesOfTheInput) {
  RequestParser p(limits, arena);
  core::BufferSlice in = slices.make(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
      "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  uint32_t off = 0;
  ASSERT_EQ(p.parse(in, off), ParseStatus::head);
  ASSERT_EQ(p.parse(in, off), ParseStatus::body);
  EXPECT_EQ(p.body().view(), "abc");
  EXPECT_EQ(p.body().data(), in.data() + in.view().find("abc"));
  ASSERT_EQ(p.parse(in, off), ParseStatus::body);
  EXPECT_EQ(p.body().view(), "de");
  EXPECT_EQ(p.body().data(), in.data() + in.view().find("de\r\n0"));
  ASSERT_EQ(p.parse(in, off), ParseStatus::message_complete);
  EXPECT_TRUE(p.trailers().empty());
  EXPECT_EQ(off, in.size());
}

TEST_F(RequestParserTest, EmptyChunkedBody) {
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            (Log{"head POST / path=/ query= origin=/ v1.1 host=a ka=1 chunked=1 cl=- upgrade=0 "
                 "expect=0 absolute=0 | Host: a | Transfer-Encoding: chunked",
                 "complete"}));
}

TEST_F(RequestParserTest, PipelinedRequestsInOneBuffer) {
  Log log = parse(
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
      "POST /2 HTTP/1.1\r\nHost: b\r\nContent-Length: 2\r\n\r\nhi"
      "PUT /3 HTTP/1.1\r\nHost: c\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"
      "\r\nDELETE /4 HTTP/1.1\r\nHost: d\r\n\r\n");
  EXPECT_EQ(log,
            (Log{"head GET /1 path=/1 query= origin=/1 v1.1 host=a ka=1 chunked=0 cl=- upgrade=0 "
                 "expect=0 absolute=0 | Host: a",
                 "complete",
                 "head POST /2 path=/2 query= origin=/2 v1.1 host=b ka=1 chunked=0 cl=2 upgrade=0 "
                 "expect=0 absolute=0 | Host: b | Content-Length: 2",
                 "body hi", "complete",
                 "head PUT /3 path=/3 query= origin=/3 v1.1 host=c ka=1 chunked=1 cl=- upgrade=0 "
                 "expect=0 absolute=0 | Host: c | Transfer-Encoding: chunked",
                 "body x", "complete",
                 "head DELETE /4 path=/4 query= origin=/4 v1.1 host=d ka=1 chunked=0 cl=- "
                 "upgrade=0 expect=0 absolute=0 | Host: d",
                 "complete"}));
}

TEST_F(RequestParserTest, LongPipelineWithLimitsPerMessage) {
  // Each head is 40 bytes, under a 64-byte limit; together they are far over it.
  limits.max_head_bytes = 64;
  limits.max_header_count = 2;
  std::string in;
  for (int i = 0; i < 1000; ++i)
    in += "GET /" + std::to_string(1000 + i) + " HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n";
  RequestParser p(limits, arena);
  Log log = drive(p, {slices.make(in)});
  ASSERT_EQ(log.size(), 2000u);
  EXPECT_EQ(log[1998],
            "head GET /1999 path=/1999 query= origin=/1999 v1.1 host=a ka=1 chunked=0 cl=- "
            "upgrade=0 expect=0 absolute=0 | Host: a | X: 1");
  EXPECT_EQ(log[1999], "complete");
}

TEST_F(RequestParserTest, HeadIsClearedWhenTheNextMessageStarts) {
  RequestParser p(limits, arena);
  core::BufferSlice in =
      slices.make("GET /1 HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\nGET /2 HTTP/1.1\r\nHost: b\r\n\r\n");
  uint32_t off = 0;
  ASSERT_EQ(p.parse(in, off), ParseStatus::head);
  EXPECT_EQ(p.head().headers.size(), 2u);
  ASSERT_EQ(p.parse(in, off), ParseStatus::message_complete);
  EXPECT_EQ(p.head().target, "/1");  // still valid after message_complete
  ASSERT_EQ(p.parse(in, off), ParseStatus::head);
  EXPECT_EQ(p.head().target, "/2");
  EXPECT_EQ(p.head().headers.size(), 1u);
  EXPECT_EQ(p.head().host, "b");
}

TEST_F(RequestParserTest, LeadingEmptyLinesAreIgnored) {
  EXPECT_EQ(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").size(), 2u);
}

TEST_F(RequestParserTest, Http10WithoutKeepAliveClosesAndRefusesMoreData) {
  EXPECT_EQ(parse("GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n"),
            (Log{"head GET / path=/ query= origin=/ v1.0 host= ka=0 chunked=0 cl=- upgrade=0 "
                 "expect=0 absolute=0",
                 "complete", "error 400 Data after `Connection: close`"}));
}

TEST_F(RequestParserTest, Http10WithKeepAlive) {
  EXPECT_EQ(parse("GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\nHost: h\r\n\r\n"
                  "GET /b HTTP/1.0\r\n\r\n"),
            (Log{"head GET /a path=/a query= origin=/a v1.0 host=h ka=1 chunked=0 cl=- upgrade=0 "
                 "expect=0 absolute=0 | Connection: Keep-Alive | Host: h",
                 "complete",
                 "head GET /b path=/b query= origin=/b v1.0 host= ka=0 chunked=0 cl=- upgrade=0 "
                 "expect=0 absolute=0",
                 "complete"}));
}

TEST_F(RequestParserTest, Http11ConnectionClose) {
  Log log = parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[0].find(" ka=0 "), std::string::npos);
}

TEST_F(RequestParserTest, ExpectContinue) {
  Log log =
      parse("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_NE(log[0].find(" expect=1 "), std::string::npos);
  // HTTP/1.0 clients cannot expect 100-continue: ignored.
  log = parse("PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_NE(log[0].find(" expect=0 "), std::string::npos);
}

TEST_F(RequestParserTest, UpgradeRequestStopsParsingAfterTheHead) {
  EXPECT_EQ(parse("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n"
                  "Upgrade: websocket\r\n\r\n\x81\x05hello"),
            (Log{"head GET /chat path=/chat query= origin=/chat v1.1 host=a ka=1 chunked=0 cl=- "
                 "upgrade=1 expect=0 absolute=0 | Host: a | Connection: keep-alive, Upgrade | "
                 "Upgrade: websocket",
                 "upgrade", "rest \x81\x05hello"}));
}

// RFC 9110 7.6.1: OWS (SP or HTAB) around a Connection option. llhttp's own scanner misses
// "Upgrade<HTAB>" and "keep-alive<HTAB>"; the parser decides from the fields and tells llhttp.
TEST_F(RequestParserTest, ConnectionOptionsFollowedByTabsCount) {
  Log log = parse("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\t\t\r\n"
                  "Upgrade: websocket\r\n\r\nframes");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_NE(log[0].find(" upgrade=1 "), std::string::npos) << log[0];
  EXPECT_EQ(log[1], "upgrade");
  log = parse("GET /a HTTP/1.0\r\nConnection: keep-alive\t\r\n\r\nGET /b HTTP/1.0\r\n\r\n");
  ASSERT_EQ(log.size(), 4u);
  EXPECT_NE(log[0].find(" ka=1 "), std::string::npos) << log[0];
  EXPECT_NE(log[2].find("head GET /b "), std::string::npos) << log[2];
  log = parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\t\r\n\r\n");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[0].find(" ka=0 "), std::string::npos) << log[0];
}

TEST_F(RequestParserTest, UpgradeReportsTheOffsetOfTheTunnelBytesAndRepeats) {
  RequestParser p(limits, arena);
  std::string_view head = "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n";
  core::BufferSlice in = slices.make(std::string(head) + "TUNNEL");
  uint32_t off = 0;
  ASSERT_EQ(p.parse(in, off), ParseStatus::head);
  EXPECT_TRUE(p.head().upgrade);
  ASSERT_EQ(p.parse(in, off), ParseStatus::upgrade);
  EXPECT_EQ(off, head.size());
  EXPECT_FALSE(p.in_message());
  EXPECT_EQ(p.parse(in, off), ParseStatus::upgrade);
  EXPECT_EQ(off, head.size());
}

TEST_F(RequestParserTest, RefusedUpgradeGoesOnAsHttp) {
  RequestParser p(limits, arena);
  core::BufferSlice in = slices.make(
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n"
      "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
  uint32_t off = 0;
  ASSERT_EQ(p.parse(in, off), ParseStatus::head);
  ASSERT_EQ(p.parse(in, off), ParseStatus::upgrade);
  p.resume_after_upgrade();
  ASSERT_EQ(p.parse(in, off), ParseStatus::head);
  EXPECT_EQ(p.head().target, "/next");
  EXPECT_FALSE(p.head().upgrade);
  EXPECT_EQ(p.parse(in, off), ParseStatus::message_complete);
  EXPECT_EQ(p.parse(in, off), ParseStatus::need_more);
}

TEST_F(RequestParserTest, UpgradeWithABodyIsPlainHttp) {
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: h2c\r\n"
                  "Content-Length: 2\r\n\r\nabGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
            (Log{"head POST / path=/ query= origin=/ v1.1 host=a ka=1 chunked=0 cl=2 upgrade=0 "
                 "expect=0 absolute=0 | Host: a | Connection: upgrade | Upgrade: h2c | "
                 "Content-Length: 2",
                 "body ab", "complete",
                 "head GET / path=/ query= origin=/ v1.1 host=a ka=1 chunked=0 cl=- upgrade=0 "
                 "expect=0 absolute=0 | Host: a",
                 "complete"}));
}

TEST_F(RequestParserTest, UpgradeOnHttp10IsIgnored) {
  Log log = parse("GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[0].find(" upgrade=0 "), std::string::npos);
  EXPECT_EQ(log[1], "complete");
}

TEST_F(RequestParserTest, ConnectIsAnUpgrade) {
  EXPECT_EQ(parse("CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\nBYTES"),
            (Log{"head CONNECT db.internal:5432 path= query= origin=db.internal:5432 v1.1 "
                 "host=db.internal:5432 ka=1 chunked=0 cl=- upgrade=1 expect=0 absolute=0 | "
                 "Host: db.internal:5432",
                 "upgrade", "rest BYTES"}));
}

TEST_F(RequestParserTest, AbsoluteFormTakesPathQueryAndHostFromTheTarget) {
  EXPECT_EQ(parse("GET http://Example.com:8080/a/b?c=d HTTP/1.1\r\nHost: example.com:8080\r\n\r\n"),
            (Log{"head GET http://Example.com:8080/a/b?c=d path=/a/b query=c=d origin=/a/b?c=d "
                 "v1.1 host=Example.com:8080 ka=1 chunked=0 cl=- upgrade=0 expect=0 absolute=1 | "
                 "Host: example.com:8080",
                 "complete"}));
}

TEST_F(RequestParserTest, AbsoluteFormWithoutPathGetsSlash) {
  Log log = parse("GET HTTPS://a.com?q=1 HTTP/1.1\r\nHost: a.com\r\n\r\n");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0],
            "head GET HTTPS://a.com?q=1 path=/ query=q=1 origin=/?q=1 v1.1 host=a.com ka=1 "
            "chunked=0 cl=- upgrade=0 expect=0 absolute=1 | Host: a.com");
  log = parse("GET http://a.com HTTP/1.0\r\n\r\n");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0],
            "head GET http://a.com path=/ query= origin=/ v1.0 host=a.com ka=0 chunked=0 cl=- "
            "upgrade=0 expect=0 absolute=1");
}

TEST_F(RequestParserTest, OptionsAsterisk) {
  EXPECT_EQ(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"),
            (Log{"head OPTIONS * path=* query= origin=* v1.1 host=a ka=1 chunked=0 cl=- "
                 "upgrade=0 expect=0 absolute=0 | Host: a",
                 "complete"}));
}

TEST_F(RequestParserTest, HostForms) {
  for (std::string_view host : {"a", "a.b-c_d~e", "A:1", "[::1]", "[::1]:65535", "10.0.0.1:80",
                                "xn--bcher-kva.example", "%41b"}) {
    Log log = parse("GET / HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n");
    ASSERT_EQ(log.size(), 2u) << host;
    EXPECT_NE(log[0].find(" host=" + std::string(host) + " "), std::string::npos) << host;
  }
}

TEST_F(RequestParserTest, EmptyHostIsAllowed) {
  Log log = parse("GET / HTTP/1.1\r\nHost:\r\n\r\n");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[0].find(" host= "), std::string::npos);
}

TEST_F(RequestParserTest, HeadAtExactlyTheByteLimitIsAccepted) {
  std::string head = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
  limits.max_head_bytes = 200;
  head += std::string(200 - head.size() - 4, 'v') + "\r\n\r\n";
  ASSERT_EQ(head.size(), 200u);
  EXPECT_EQ(parse(head).back(), "complete");
  head.insert(head.find("vv"), "v");
  EXPECT_EQ(parse(head).back(), "error 431 head too large");
}

TEST_F(RequestParserTest, ByteLimitIsEnforcedWhileParsingNotAfter) {
  limits.max_head_bytes = 1000;
  RequestParser p(limits, arena);
  core::BufferSlice first = slices.make("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(900, 'v'));
  uint32_t off = 0;
  ASSERT_EQ(p.parse(first, off), ParseStatus::need_more);
  // The next slice brings the head past the limit long before its end.
  core::BufferSlice second = slices.make(std::string(10000, 'v'));
  off = 0;
  ASSERT_EQ(p.parse(second, off), ParseStatus::error);
  EXPECT_EQ(p.error_status(), 431);
  EXPECT_LE(off, 1000u);
  EXPECT_LT(arena.capacity(), 8192u);  // no more than the limit was copied
}

TEST_F(RequestParserTest, LeadingEmptyLinesCountTowardsTheHeadLimit) {
  limits.max_head_bytes = 100;
  std::string blank_lines;
  for (int i = 0; i < 60; ++i) blank_lines += "\r\n";
  EXPECT_EQ(parse(blank_lines), (Log{"error 431 head too large"}));
}

TEST_F(RequestParserTest, HeaderCountLimit) {
  limits.max_header_count = 3;
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 2\r\n\r\n").back(), "complete");
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 2\r\nD: 3\r\n\r\n").back(),
            "error 431 too many header fields");
}

TEST_F(RequestParserTest, UriLengthLimit) {
  limits.max_uri_length = 10;
  EXPECT_EQ(parse("GET /123456789 HTTP/1.1\r\nHost: a\r\n\r\n").back(), "complete");
  EXPECT_EQ(parse("GET /1234567890 HTTP/1.1\r\nHost: a\r\n\r\n").back(),
            "error 414 request-target too long");
}

TEST_F(RequestParserTest, UriLengthLimitAcrossSlices) {
  limits.max_uri_length = 10;
  RequestParser p(limits, arena);
  Log log = drive(p, slices.split("GET /1234567890 HTTP/1.1\r\nHost: a\r\n\r\n", {8}));
  EXPECT_EQ(log, (Log{"error 414 request-target too long"}));
}

// RFC 9112 §3: a request-target longer than the server will parse gets 414, also when it is
// the head's byte limit that it crosses (issue 9: a 20 KiB target got 431).
TEST_F(RequestParserTest, LongTargetGets414UnderDefaultLimits) {
  const std::string request =
      "GET /" + std::string(20 * 1024, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(parse(request), (Log{"error 414 request-target too long"}));
  RequestParser p(limits, arena);
  EXPECT_EQ(drive(p, slices.split(request, {3, 5, 16 * 1024})),
            (Log{"error 414 request-target too long"}));
}

TEST_F(RequestParserTest, TargetCrossingTheHeadLimitGets414) {
  limits.max_head_bytes = 16 * 1024;
  limits.max_uri_length = 64 * 1024;
  const std::string request =
      "GET /" + std::string(20 * 1024, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(parse(request), (Log{"error 414 request-target too long"}));
  // Split anywhere around the limit, and into 1000-byte segments.
  for (std::size_t cut : {std::size_t(4), std::size_t(5), std::size_t(16 * 1024 - 1),
                          std::size_t(16 * 1024), std::size_t(16 * 1024 + 1)}) {
    RequestParser p(limits, arena);
    EXPECT_EQ(drive(p, slices.split(request, {cut})), (Log{"error 414 request-target too long"}))
        << cut;
  }
  std::vector<std::size_t> cuts;
  for (std::size_t at = 1000; at < request.size(); at += 1000) cuts.push_back(at);
  RequestParser p(limits, arena);
  EXPECT_EQ(drive(p, slices.split(request, cuts)), (Log{"error 414 request-target too long"}));
}

TEST_F(RequestParserTest, HeadLimitCrossedAfterTheTargetGets431) {
  limits.max_head_bytes = 100;
  limits.max_uri_length = 1000;
  // The target ends exactly at the limit: what crosses it is the rest of the request line.
  const std::string at_limit = "GET /" + std::string(95, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(parse(at_limit), (Log{"error 431 head too large"}));
  RequestParser p(limits, arena);
  EXPECT_EQ(drive(p, slices.split(at_limit, {100})), (Log{"error 431 head too large"}));
  // A header field crosses it.
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(100, 'v') + "\r\n\r\n"),
            (Log{"error 431 head too large"}));
  // So does a method (llhttp knows none that long; the limit comes first).
  limits.max_head_bytes = 3;
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), (Log{"error 431 head too large"}));
}

TEST_F(RequestParserTest, TrailerLimits) {
  limits.max_header_count = 2;
  const std::string head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  EXPECT_EQ(parse(head + "A: 1\r\nB: 2\r\n\r\n").back(), "complete | A: 1 | B: 2");
  EXPECT_EQ(parse(head + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n").back(),
            "error 431 too many trailer fields");
  limits.max_head_bytes = 100;
  // 100 bytes of trailer section: "A: " + 93 bytes + CRLF + CRLF.
  EXPECT_EQ(parse(head + "A: " + std::string(93, 'x') + "\r\n\r\n").back(),
            "complete | A: " + std::string(93, 'x'));
  EXPECT_EQ(parse(head + "A: " + std::string(94, 'x') + "\r\n\r\n").back(),
            "error 431 trailers too large");
}

TEST_F(RequestParserTest, ArenaHoldsTheHeadAndSplitFieldsStayContiguous) {
  RequestParser p(limits, arena);
  auto in = slices.split(
      "GET /long/target HTTP/1.1\r\nHost: a\r\nX-Split-Name: split value\r\n\r\n", {9, 40, 51});
  Log log = drive(p, in);
  ASSERT_EQ(log.size(), 2u);
  const RequestHead& h = p.head();
  EXPECT_EQ(h.target, "/long/target");
  ASSERT_EQ(h.headers.size(), 2u);
  EXPECT_EQ(h.headers.begin()[1].name, "X-Split-Name");
  EXPECT_EQ(h.headers.begin()[1].value, "split value");
  for (const auto& s : in) {
    // Nothing in the head points into a receive buffer.
    const char* lo = s.data();
    const char* hi = s.data() + s.size();
    EXPECT_FALSE(h.target.data() >= lo && h.target.data() < hi);
    for (const auto& f : h.headers) {
      EXPECT_FALSE(f.name.data() >= lo && f.name.data() < hi);
      EXPECT_FALSE(f.value.data() >= lo && f.value.data() < hi);
    }
  }
}

TEST_F(RequestParserTest, InMessageTracksPartialRequests) {
  RequestParser p(limits, arena);
  core::BufferSlice blank = slices.make("\r\n");
  uint32_t off = 0;
  EXPECT_EQ(p.parse(blank, off), ParseStatus::need_more);
  EXPECT_FALSE(p.in_message());
  core::BufferSlice part = slices.make("GET / HT");
  off = 0;
  EXPECT_EQ(p.parse(part, off), ParseStatus::need_more);
  EXPECT_TRUE(p.in_message());
}

TEST_F(RequestParserTest, ErrorIsSticky) {
  RequestParser p(limits, arena);
  core::BufferSlice bad = slices.make("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01\r\n\r\n");
  uint32_t off = 0;
  ASSERT_EQ(p.parse(bad, off), ParseStatus::error);
  core::BufferSlice good = slices.make("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  off = 0;
  EXPECT_EQ(p.parse(good, off), ParseStatus::error);
  EXPECT_EQ(p.error_status(), 400);
}

}  // namespace
}  // namespace ringress::http
