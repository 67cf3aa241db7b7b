#include "http/serializer.h"

#include <gtest/gtest.h>

#include "http/status.h"

namespace ringress::http {
namespace {

TEST(Serializer, RequestHead) {
  HeaderMap h;
  h.add("Host", "example.com");
  h.add("X-Mixed-Case", "v");
  std::string out = "prefix|";
  write_request_head(out, "GET", "/a?b", 1, h);
  EXPECT_EQ(out, "prefix|GET /a?b HTTP/1.1\r\nHost: example.com\r\nX-Mixed-Case: v\r\n\r\n");
  out.clear();
  write_request_head(out, "POST", "/", 0, HeaderMap{});
  EXPECT_EQ(out, "POST / HTTP/1.0\r\n\r\n");
}

TEST(Serializer, ResponseHead) {
  HeaderMap h;
  h.add("Content-Length", "0");
  std::string out;
  write_response_head(out, 200, "Fine", h);
  EXPECT_EQ(out, "HTTP/1.1 200 Fine\r\nContent-Length: 0\r\n\r\n");
  out.clear();
  write_response_head(out, 404, "", HeaderMap{});
  EXPECT_EQ(out, "HTTP/1.1 404 Not Found\r\n\r\n");
  out.clear();
  write_response_head(out, 299, "", HeaderMap{});
  EXPECT_EQ(out, "HTTP/1.1 299 \r\n\r\n");
}

TEST(Serializer, ChunkFraming) {
  std::string out;
  write_chunk_header(out, 0x1a2b);
  write_chunk_header(out, 1);
  write_chunk_header(out, 0);
  write_chunk_header(out, std::size_t(-1));
  EXPECT_EQ(out, "1a2b\r\n1\r\n0\r\nffffffffffffffff\r\n");
}

TEST(Serializer, LastChunk) {
  std::string out;
  write_last_chunk(out, HeaderMap{});
  EXPECT_EQ(out, "0\r\n\r\n");
  HeaderMap t;
  t.add("Grpc-Status", "0");
  t.add("Grpc-Message", "ok");
  out.clear();
  write_last_chunk(out, t);
  EXPECT_EQ(out, "0\r\nGrpc-Status: 0\r\nGrpc-Message: ok\r\n\r\n");
}

TEST(Status, ReasonPhrases) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(400), "Bad Request");
  EXPECT_EQ(reason_phrase(413), "Content Too Large");
  EXPECT_EQ(reason_phrase(414), "URI Too Long");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(501), "Not Implemented");
  EXPECT_EQ(reason_phrase(502), "Bad Gateway");
  EXPECT_EQ(reason_phrase(503), "Service Unavailable");
  EXPECT_EQ(reason_phrase(504), "Gateway Timeout");
  EXPECT_EQ(reason_phrase(505), "HTTP Version Not Supported");
  EXPECT_EQ(reason_phrase(299), "");
  EXPECT_EQ(reason_phrase(0), "");
}

}  // namespace
}  // namespace ringress::http
