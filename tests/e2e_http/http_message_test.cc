// Self-checks of the test side's HTTP parser: the other tests trust it to decode exactly and to
// refuse bad framing, so it gets tests of its own (no proxy involved).
#include <gtest/gtest.h>

#include "tests/support/http_message.h"

namespace ringress::test {
namespace {

// Feeds `bytes` in pieces of `step` bytes (then EOF if `eof`) and returns the first message.
HttpMessage parse(MessageParser::Kind kind, const std::string& bytes, size_t step, bool eof = false,
                  size_t* used = nullptr) {
  MessageParser p(kind);
  size_t off = 0;
  while (off < bytes.size() && !p.done())
    off += p.feed(bytes.data() + off, std::min(step, bytes.size() - off));
  if (eof && !p.done()) p.feed_eof();
  if (used) *used = off;
  if (!p.done()) {
    HttpMessage m;
    m.error = "incomplete";
    return m;
  }
  return p.take();
}

constexpr auto kRequest = MessageParser::Kind::request;
constexpr auto kResponse = MessageParser::Kind::response;

TEST(HttpMessageParser, ChunkedBodyIsDecodedWhateverTheSplit) {
  const std::string bytes =
      "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;e=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\nGET /next";
  for (size_t step : {1u, 2u, 7u, 1000u}) {
    size_t used = 0;
    HttpMessage m = parse(kRequest, bytes, step, false, &used);
    ASSERT_TRUE(m.ok()) << "step " << step << ": " << m.error;
    EXPECT_EQ(m.body, "abc0123456789");
    EXPECT_EQ(m.chunks, 2u);
    EXPECT_EQ(m.trailers.get("x-t"), "1");
    EXPECT_EQ(bytes.substr(used), "GET /next") << "step " << step;
  }
}

TEST(HttpMessageParser, HeadersKeepOrderAndCase) {
  HttpMessage m =
      parse(kRequest, "GET / HTTP/1.1\r\nHost: a\r\nX-MiXeD:  v \r\nx-mixed: w\r\n\r\n", 5);
  ASSERT_TRUE(m.ok()) << m.error;
  ASSERT_EQ(m.headers.fields.size(), 3u);
  EXPECT_EQ(m.headers.fields[1].first, "X-MiXeD");
  EXPECT_EQ(m.headers.fields[1].second, "v");
  EXPECT_EQ(m.headers.count("X-MIXED"), 2u);
}

TEST(HttpMessageParser, BadFramingIsRefused) {
  for (const std::string& bad : {
           std::string("GET / HTTP/1.1\nHost: a\r\n\r\n"),
           std::string(
               "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"),
           std::string("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n"),
           std::string("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n"),
           std::string("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\nab\r\n"),
           std::string("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n"),
           std::string("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n"),
       }) {
    EXPECT_FALSE(parse(kRequest, bad, 3).ok()) << bad;
  }
}

TEST(HttpMessageParser, ResponseBodies) {
  HttpMessage m = parse(kResponse, "HTTP/1.1 200 OK\r\n\r\nuntil the end", 4, true);
  ASSERT_TRUE(m.ok()) << m.error;
  EXPECT_EQ(m.framing, HttpMessage::Framing::until_close);
  EXPECT_EQ(m.body, "until the end");

  m = parse(kResponse, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 4, true);
  EXPECT_FALSE(m.ok());
  EXPECT_EQ(m.body_size, 5u);

  m = parse(kResponse, "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", 4);
  ASSERT_TRUE(m.ok()) << m.error;
  EXPECT_EQ(m.body_size, 0u);

  m = parse(kResponse, "HTTP/1.1 100 Continue\r\n\r\n", 1);
  ASSERT_TRUE(m.ok()) << m.error;
  EXPECT_EQ(m.status, 100);
}

}  // namespace
}  // namespace ringress::test
