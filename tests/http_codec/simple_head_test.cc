// The simple head path (http/simple_head.h): what it reads, what it leaves to llhttp, and that a
// parser gives the same transcript with it as with every head through llhttp.
#include "http/simple_head.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec_test_util.h"
#include "http/parser.h"

namespace ringress::http {
namespace {

using namespace std::literals;
using detail::SimpleHead;
using detail::SimpleHeadLimits;
using testing::describe_fields;
using testing::drive;
using testing::Slices;

constexpr SimpleHeadLimits kLimits{
    .max_head_bytes = 60 * 1024, .max_fields = 100, .max_target = 8192};

bool request(std::string_view bytes, SimpleHead& head, HeaderMap& fields,
             const SimpleHeadLimits& limits = kLimits) {
  return detail::parse_simple_request_head(bytes.data(), uint32_t(bytes.size()), limits, head,
                                           fields);
}

bool response(std::string_view bytes, SimpleHead& head, HeaderMap& fields) {
  return detail::parse_simple_response_head(bytes.data(), uint32_t(bytes.size()), kLimits, head,
                                            fields);
}

TEST(SimpleHead, ReadsACommonRequestHead) {
  const std::string head_bytes =
      "POST /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nAccept: \t*/* \t\r\nX-Empty:\r\n"
      "X-Tab: a\tb\r\nContent-Length: 5\r\n\r\n";
  const std::string bytes = head_bytes + "helloGET";
  SimpleHead head;
  HeaderMap fields;
  ASSERT_TRUE(request(bytes, head, fields));
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.target, "/a/b?c=d");
  EXPECT_TRUE(head.has_content_length);
  EXPECT_EQ(head.content_length, 5u);
  EXPECT_EQ(head.length, head_bytes.size());
  EXPECT_EQ(describe_fields(fields),
            " | Host: example.com | Accept: */* | X-Empty:  | X-Tab: a\tb | Content-Length: 5");
}

TEST(SimpleHead, ReadsACommonResponseHead) {
  const std::string bytes =
      "HTTP/1.1 404 Not Found\r\nServer: x\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n";
  SimpleHead head;
  HeaderMap fields;
  ASSERT_TRUE(response(bytes, head, fields));
  EXPECT_EQ(head.status, 404);
  EXPECT_EQ(head.reason, "Not Found");
  EXPECT_EQ(head.content_length, 0u);
  EXPECT_TRUE(head.has_content_length);
  EXPECT_EQ(head.length, bytes.find("HTTP/1.1 200"));
  EXPECT_EQ(describe_fields(fields), " | Server: x | Content-Length: 0");
}

TEST(SimpleHead, LeavesEverythingElseToLlhttp) {
  const std::string_view requests[] = {
      "GET / HTTP/1.1\r\nHost: a\r\n",                    // not whole yet
      "GET / HTTP/1.1\r\nHost: a\r\n\r",                  // not whole yet
      "get / HTTP/1.1\r\nHost: a\r\n\r\n",                // not a method as llhttp spells it
      "CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\n\r\n",        // not a simple method
      "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n",        // absolute-form
      "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",            // asterisk-form
      "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n",             // fragment
      "GET /a\"b HTTP/1.1\r\nHost: a\r\n\r\n",            // not a URI character
      "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",               // two spaces
      "GET / HTTP/1.0\r\nHost: a\r\n\r\n",                // HTTP/1.0
      "GET / HTTP/1.1\nHost: a\r\n\r\n",                  // bare LF
      "GET / HTTP/1.1\r\nHost: a\n\r\n",                  // bare LF
      "GET / HTTP/1.1\r\nHost: a\r\n\n",                  // bare LF
      "GET / HTTP/1.1\r\nHost : a\r\n\r\n",               // space before the colon
      "GET / HTTP/1.1\r\n Host: a\r\n\r\n",               // obs-fold
      "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",  // obs-fold
      "GET / HTTP/1.1\r\nHost: \xe4\r\n\r\n",             // obs-text
      "GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n",            // DEL
      "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n"sv,           // NUL
      "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 \r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1234567890123456\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n",
      "GET / HTTP/1.1\r\n: a\r\n\r\n",
  };
  for (std::string_view r : requests) {
    SimpleHead head;
    HeaderMap fields;
    EXPECT_FALSE(request(r, head, fields)) << r;
  }
  const char* const responses[] = {
      "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\n",
      "HTTP/1.1 101 Switching Protocols\r\n\r\n",
      "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 600 X\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 O\tK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
  };
  for (std::string_view r : responses) {
    SimpleHead head;
    HeaderMap fields;
    EXPECT_FALSE(response(std::string(r), head, fields)) << r;
  }
}

TEST(SimpleHead, LeavesAHeadOverALimitToLlhttp) {
  const std::string bytes = "GET /abc HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n";
  SimpleHead head;
  HeaderMap fields;
  const SimpleHeadLimits just{
      .max_head_bytes = uint32_t(bytes.size()), .max_fields = 2, .max_target = 4};
  EXPECT_TRUE(request(bytes, head, fields, just));
  for (SimpleHeadLimits less :
       {SimpleHeadLimits{just.max_head_bytes - 1, 2, 4},
        SimpleHeadLimits{just.max_head_bytes, 1, 4}, SimpleHeadLimits{just.max_head_bytes, 2, 3}}) {
    fields.clear();
    EXPECT_FALSE(request(bytes, head, fields, less));
  }
}

template <typename Parser>
std::vector<std::string> transcript(std::string_view bytes, bool simple,
                                    std::string_view method = "GET") {
  Slices slices;
  core::Arena arena;
  Parser p(ParseLimits{}, arena);
  if (!simple) p.llhttp_only();
  if constexpr (std::is_same_v<Parser, ResponseParser>) p.expect_response_to(method);
  return drive(p, {slices.make(bytes)});
}

// Heads the simple path reads or starts to read (and some it hands back after reading them):
// each parses exactly as llhttp alone parses it, errors included.
TEST(SimpleHead, ParsersGiveTheSameTranscriptEitherWay) {
  const char* const requests[] = {
      "GET /a?b HTTP/1.1\r\nHost: a\r\nUser-Agent: x\r\n\r\n",
      "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /n HTTP/1.1\r\nHost: a\r\n"
      "\r\n",
      "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\nPOST /u HTTP/1.1\r\nHost: a\r\n"
      "Content-Length: 3\r\nExpect: 100-continue\r\n\r\nabc",
      "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello",
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n",
      "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\nframes",
      "POST /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: x\r\nContent-Length: 1\r\n"
      "\r\nz",
      "GET / HTTP/1.1\r\nUser-Agent: x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: \r\n\r\n",
      "GET /%zz HTTP/1.1\r\nHost: a:99999\r\n\r\n",
      "OPTIONS /x HTTP/1.1\r\nHost: a\r\n\r\n",
      "DELETE /x HTTP/1.1\r\nHost: a\r\n\r\nPATCH /y HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
      "\r\n1HEAD /z HTTP/1.1\r\nHost: a\r\n\r\nPUT /w HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked"
      "\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /last HTTP/1.1\r\nHost: a\r\n\r\n",
      "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
      // A Connection trailer field changes nothing: the next requests are read either way.
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nConnection: close\r\n"
      "Proxy-Connection: close\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\nGET /1.0 HTTP/1.0\r\n\r\n",
  };
  for (std::string_view r : requests)
    EXPECT_EQ(transcript<RequestParser>(r, true), transcript<RequestParser>(r, false)) << r;

  const std::pair<const char*, const char*> responses[] = {
      {"GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 204 No Content\r\n\r\n"},
      {"GET", "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nuntil the close"},
      {"GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"},
      {"HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"},
      {"CONNECT", "HTTP/1.1 200 OK\r\n\r\ntunnel"},
      {"GET", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx"},
      {"GET", "HTTP/1.1 503 \r\nContent-Length: 1\r\n\r\nx"},
      {"GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nxx"},
      {"GET", "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nshort"},
      {"GET",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nConnection: close\r\n\r\n"
       "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.0 200 OK\r\n\r\n"},
  };
  for (const auto& [method, r] : responses)
    EXPECT_EQ(transcript<ResponseParser>(r, true, method),
              transcript<ResponseParser>(r, false, method))
        << r;
}

// Empty lines between requests are skipped by llhttp and count against the next head's limit,
// not against every later one: the simple path starts each head with the whole limit.
TEST(SimpleHead, EmptyLinesBetweenRequestsDoNotUseUpTheHeadLimit) {
  const std::string one = "GET / HTTP/1.1\r\nHost: a\r\n\r\n\r\n";
  for (bool simple : {true, false}) {
    Slices slices;
    core::Arena arena;
    RequestParser p(ParseLimits{.max_head_bytes = 64}, arena);
    if (!simple) p.llhttp_only();
    std::vector<core::BufferSlice> in;
    for (int i = 0; i < 100; ++i) in.push_back(slices.make(one));
    const std::vector<std::string> log = drive(p, in);
    ASSERT_EQ(log.size(), 200u) << log.back();
    EXPECT_EQ(log.back(), "complete");
  }
}

// The body of a simply read message is counted here: a connection close in it is a 502.
TEST(SimpleHead, ACloseInsideACountedBodyIsAnError) {
  Slices slices;
  core::Arena arena;
  ResponseParser p(ParseLimits{}, arena);
  p.expect_response_to("GET");
  const std::vector<std::string> log =
      drive(p, {slices.make("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc")});
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1], "body abc");
  EXPECT_EQ(p.finish_on_eof(), ParseStatus::error);
  EXPECT_EQ(p.error_status(), 502);
  EXPECT_EQ(p.error_reason(), "connection closed in the middle of a response");
}

}  // namespace
}  // namespace ringress::http
