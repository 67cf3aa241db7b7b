// Messages split at every byte boundary across two slices parse exactly as in one slice: same
// heads, same body bytes, same trailers, same errors.
#include <gtest/gtest.h>

#include <algorithm>

#include "codec_test_util.h"
#include "http/parser.h"

namespace ringress::http {
namespace {

using testing::drive;
using testing::Slices;
using Log = std::vector<std::string>;

const char* const kRequests[] = {
    "GET /a/b?c=d&e HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test/1.0\r\nAccept: */*\r\n"
    "X-Empty:\r\nX-Spaces:  a  b  \r\n\r\n",
    "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: yes\r\nX-Two: 2\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3;name=value;q=\"quoted\"\r\nabc\r\n2 ; a ; b = \"\\\"c\" ;d\r\nde\r\n0;e=f\r\n\r\n"
    "GET /next HTTP/1.1\r\nHost: a\r\n\r\n",
    "\r\nGET /1 HTTP/1.1\r\nHost: a\r\n\r\nPUT /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n"
    "abcGET /3 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "GET http://a.com?x=1 HTTP/1.1\r\nHost: a.com\r\n\r\n",
    "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nframes",
    "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n\x16\x03\x01",
    "GET / HTTP/1.0\r\n\r\n",
};

const char* const kBadRequests[] = {
    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\n\nGET / HTTP/1.1\r\n\r\n",
    "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\n",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX: 1\r\n "
    "y\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
    "FOO / HTTP/1.1\r\nHost: a\r\n\r\n",
    "FOO\x01 / HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"b\r\nabc\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b \r\nabc\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\nabc\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n",
};

const char* const kResponses[] = {
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello",
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3\r\nabc\r\n0\r\nT: 1\r\n\r\n",
    "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nHTTP/1.1 404 Not Found\r\n"
    "Content-Length: 0\r\n\r\n",
    "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\nws",
    "HTTP/1.1 200\r\nX: y\r\n\r\nuntil close",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;name=value;q=\"quoted\"\r\nabc\r\n"
    "2\t;\ta=\"\\\\\"\r\nde\r\n0\r\nT: 1\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
};

template <typename Parser>
Log parse_split(Slices& slices, core::Arena& arena, std::string_view bytes, std::size_t cut,
                const ParseLimits& limits = {}) {
  Parser p(limits, arena);
  if constexpr (std::is_same_v<Parser, ResponseParser>) p.expect_response_to("GET");
  if (cut == std::string_view::npos) return drive(p, {slices.make(bytes)});
  return drive(p, slices.split(bytes, {cut}));
}

// Returns the transcript of the whole input.
template <typename Parser>
Log expect_split_invariant(std::string_view bytes, const ParseLimits& limits = {}) {
  Slices slices;
  core::Arena arena;
  Log whole = parse_split<Parser>(slices, arena, bytes, std::string_view::npos, limits);
  EXPECT_FALSE(whole.empty());
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    Log split = parse_split<Parser>(slices, arena, bytes, cut, limits);
    if (split != whole) {
      EXPECT_EQ(split, whole) << "cut at " << cut << " of:\n" << bytes;
      break;
    }
  }
  return whole;
}

bool has_error(const Log& log) {
  return std::any_of(log.begin(), log.end(),
                     [](const std::string& e) { return e.rfind("error ", 0) == 0; });
}

TEST(SplitTest, RequestsParseTheSameAtEveryCut) {
  for (const char* r : kRequests)
    EXPECT_FALSE(has_error(expect_split_invariant<RequestParser>(r))) << r;
}

TEST(SplitTest, BadRequestsFailTheSameAtEveryCut) {
  for (const char* r : kBadRequests) {
    expect_split_invariant<RequestParser>(r);
    Slices slices;
    core::Arena arena;
    EXPECT_EQ(parse_split<RequestParser>(slices, arena, r, std::string_view::npos)
                  .back()
                  .rfind("error ", 0),
              0u)
        << r;
  }
}

// A bad byte after the request-target's limit is never seen: 414 however the bytes are cut (the
// limit is crossed first); one before the limit is a 400 at every cut.
TEST(SplitTest, TargetLimitOrBadByteIsTheSameVerdictAtEveryCut) {
  const ParseLimits limits{.max_uri_length = 16};
  const std::string tail = std::string(1, '\0') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  const Log past = expect_split_invariant<RequestParser>("GET /" + std::string(20, 'k') + tail,
                                                         limits);
  EXPECT_EQ(past.back().rfind("error 414", 0), 0u) << past.back();
  const Log within = expect_split_invariant<RequestParser>("GET /kk" + tail, limits);
  EXPECT_EQ(within.back().rfind("error 400", 0), 0u) << within.back();
  const Log unknown = expect_split_invariant<RequestParser>("FOO\x01 / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(unknown.back().rfind("error 501", 0), 0u) << unknown.back();
}

TEST(SplitTest, ResponsesParseTheSameAtEveryCut) {
  for (const char* r : kResponses)
    EXPECT_FALSE(has_error(expect_split_invariant<ResponseParser>(r))) << r;
}

TEST(SplitTest, OneByteSlices) {
  Slices slices;
  core::Arena arena;
  std::string_view bytes = kRequests[2];
  Log whole = parse_split<RequestParser>(slices, arena, bytes, std::string_view::npos);
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < bytes.size(); ++i) cuts.push_back(i);
  RequestParser p(ParseLimits{}, arena);
  EXPECT_EQ(drive(p, slices.split(bytes, cuts)), whole);
}

}  // namespace
}  // namespace ringress::http
