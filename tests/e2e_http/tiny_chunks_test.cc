// Bodies made of many tiny chunks. The proxy re-chunks a chunked body piece by piece, so a
// peer that sends thousands of one-byte chunks in one write makes thousands of output pieces:
// more than one writev may carry (IOV_MAX). The client used to get the head and a cut
// connection. Both directions must arrive whole, byte for byte.
#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using TinyChunksTest = HttpProxyTest;

// `body` framed as one chunk per byte, with the last chunk.
std::string one_byte_chunks(const std::string& body) {
  std::string out;
  out.reserve(body.size() * 6 + 5);
  for (char c : body) {
    out += "1\r\n";
    out += c;
    out += "\r\n";
  }
  out += "0\r\n\r\n";
  return out;
}

// Printable bytes, so a failure message shows them.
std::string tiny_body(uint64_t seed, size_t size) {
  std::string s = pattern_text(seed, size);
  for (char& c : s) c = static_cast<char>('a' + static_cast<unsigned char>(c) % 26);
  return s;
}

class TinyChunkResponses : public TinyChunksTest, public ::testing::WithParamInterface<size_t> {};

TEST_P(TinyChunkResponses, ArriveWholeAndExact) {
  const size_t chunks = GetParam();
  const std::string body = tiny_body(chunks, chunks);
  // The head and every chunk in one write.
  HttpUpstream upstream([&](const UpstreamRequest&) {
    UpstreamReply reply;
    reply.bytes =
        response_bytes(200, "OK", {{"Transfer-Encoding", "chunked"}}, one_byte_chunks(body), false);
    return reply;
  });
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 2; ++i) {  // and the connection stays usable
    HttpMessage r = c.round_trip(get_request("/tiny/" + std::to_string(i)), soon());
    ASSERT_TRUE(has_status(r, 200)) << "request " << i;
    EXPECT_EQ(r.framing, HttpMessage::Framing::chunked) << r.describe();
    EXPECT_EQ(r.body_size, body.size()) << "request " << i;
    EXPECT_TRUE(r.body == body) << "request " << i << ": body differs";
  }
}

INSTANTIATE_TEST_SUITE_P(Counts, TinyChunkResponses, ::testing::Values(520, 5000));

std::string chunked_post(std::string_view target, const std::string& body) {
  return request_bytes("POST", target, {{"Host", "t"}, {"Transfer-Encoding", "chunked"}},
                       one_byte_chunks(body));
}

TEST_F(TinyChunksTest, RequestBodyOfOneByteChunksReachesTheUpstreamIntact) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  const std::string body = tiny_body(7, 5000);

  // In one write.
  HttpMessage r = c.round_trip(chunked_post("/whole", body), soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "POST /whole 5000");

  // One byte per TCP segment (the client sets TCP_NODELAY).
  const std::string dripped = body.substr(0, 2000);
  const std::string request = chunked_post("/dripped", dripped);
  for (size_t i = 0; i < request.size(); ++i)
    ASSERT_TRUE(c.send(std::string_view(request).substr(i, 1), soon()).ok()) << "byte " << i;
  r = c.read_response(soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "POST /dripped 2000");

  auto seen = upstream.wait_requests(2, soon());
  ASSERT_TRUE(seen);
  EXPECT_TRUE((*seen)[0].message.ok()) << (*seen)[0].message.describe();
  EXPECT_TRUE((*seen)[0].message.body == body) << "the body of /whole differs";
  EXPECT_TRUE((*seen)[1].message.ok()) << (*seen)[1].message.describe();
  EXPECT_TRUE((*seen)[1].message.body == dripped) << "the body of /dripped differs";
}

}  // namespace
}  // namespace ringress::test
