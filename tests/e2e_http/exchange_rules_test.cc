// How one exchange ends when something about it is hostile or odd: a request body that stops
// parsing, an upstream that never answers a POST, an HTTP/1.0 client and a chunked upstream, a
// declined upgrade, a silent connection, rejected requests in the books, and the keep-alive
// race on reused upstream connections.
#include <sys/socket.h>

#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"
#include "tests/support/temp_dir.h"

namespace ringress::test {
namespace {

using ExchangeRulesTest = HttpProxyTest;

// The raw bytes a connection receives until the proxy closes it.
std::string until_closed(HttpClient& c, Deadline deadline) {
  std::string bytes;
  IoResult r = c.wait_closed(deadline, &bytes);
  EXPECT_TRUE(r.status == IoResult::kEof || r.status == IoResult::kReset) << r.describe();
  return bytes;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Item 3: the route timeout runs from the end of the request body, for a POST as for a GET.
TEST_F(ExchangeRulesTest, RouteTimeoutAppliesToRequestsWithABody) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply r;
    r.then = UpstreamReply::Then::stall;
    return r;
  });
  ASSERT_TRUE(start(config_for(upstream.port(), R"(timeout = "300ms")")));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  const auto begin = std::chrono::steady_clock::now();
  HttpMessage r = c.round_trip(
      request_bytes("POST", "/slow", {{"Host", "h"}, {"Content-Length", "5"}}, "hello"), soon());
  ASSERT_TRUE(is_local_reply(r, 504));
  EXPECT_EQ(r.body, "upstream did not respond in time\n");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, stretched(seconds(3)));
  // A chunked body too.
  HttpMessage chunked =
      c.round_trip(request_bytes("POST", "/slow", {{"Host", "h"}, {"Transfer-Encoding", "chunked"}},
                                 "5\r\nhello\r\n0\r\n\r\n"),
                   soon());
  ASSERT_TRUE(is_local_reply(chunked, 504));
}

// Item 5: chunk framing that goes bad after the head was forwarded is the client's error.
struct BadChunk {
  const char* name;
  std::string bytes;
};
void PrintTo(const BadChunk& c, std::ostream* os) { *os << c.name; }

class BadRequestBody : public ExchangeRulesTest, public ::testing::WithParamInterface<BadChunk> {};

TEST_P(BadRequestBody, Gets400AndTheConnectionCloses) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply r;
    r.then = UpstreamReply::Then::stall;
    return r;
  });
  TempDir dir;
  const std::string log_path = dir.path() + "/access.log";
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {R"(filters = ["access_log", "router"])",
                          "access_log = { path = " + toml_string(log_path) +
                              R"(, format = "%STATUS% %RESPONSE_FLAGS%" })"};
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(request_bytes("POST", "/up", {{"Host", "h"}, {"Transfer-Encoding", "chunked"}},
                                   "5\r\nhello\r\n"),
                     soon())
                  .ok());
  // The head went upstream before the bad bytes came.
  ASSERT_TRUE(upstream.wait_accepted(1, soon()));
  std::this_thread::sleep_for(milliseconds(50));
  ASSERT_TRUE(c.send(GetParam().bytes, soon()).ok());
  HttpMessage r = c.read_response(soon());
  ASSERT_TRUE(is_local_reply(r, 400));
  EXPECT_EQ(r.header("connection").value_or(""), "close");
  until_closed(c, soon());
  c.close();
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(5))));
  std::vector<std::string> lines = lines_of(read_text_file(log_path));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "400 DPE");
  EXPECT_NE(proxy_.log().find("1 bad request"), std::string::npos) << proxy_.log();
}

INSTANTIATE_TEST_SUITE_P(
    ChunkLines, BadRequestBody,
    ::testing::Values(BadChunk{"not_hex", "zz\r\nhello\r\n0\r\n\r\n"},
                      BadChunk{"overflow", "10000000000000000\r\nx\r\n"},
                      BadChunk{"extension_64k", "5;" + std::string(65536, 'e') + "\r\nhello"},
                      BadChunk{"bare_lf", "5\nhello\r\n0\r\n\r\n"}),
    [](const ::testing::TestParamInfo<BadChunk>& info) { return std::string(info.param.name); });

// Item 7: an HTTP/1.0 client never gets the chunked coding; the body ends at the close.
TEST_F(ExchangeRulesTest, Http10ClientGetsAChunkedResponseCloseDelimited) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply r;
    r.bytes = response_bytes(200, "OK", {{"Transfer-Encoding", "chunked"}},
                             "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", false);
    return r;
  });
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(
      c.send("GET /ten HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n", soon()).ok());
  std::string raw = until_closed(c, soon());
  std::size_t end = raw.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos) << raw;
  std::string head = raw.substr(0, end + 2);
  EXPECT_EQ(raw.substr(end + 4), "hello world");
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  static const std::regex te("transfer-encoding", std::regex::icase);
  EXPECT_FALSE(std::regex_search(head, te)) << head;
  EXPECT_NE(head.find("\r\nConnection: close\r\n"), std::string::npos) << head;
}

// Item 8: an upstream that answers an upgrade request with a plain response keeps the client's
// connection an HTTP connection: the next request on it is served.
TEST_F(ExchangeRulesTest, DeclinedUpgradeKeepsTheConnection) {
  HttpUpstream upstream([](const UpstreamRequest& req) {
    UpstreamReply r;
    r.bytes = ok_response("plain " + req.message.target);
    return r;
  });
  ASSERT_TRUE(start(config_for(upstream.port(), "allow_upgrade = true")));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage first =
      c.round_trip(request_bytes("GET", "/ws",
                                 {{"Host", "h"},
                                  {"Connection", "Upgrade"},
                                  {"Upgrade", "websocket"},
                                  {"Sec-WebSocket-Version", "13"},
                                  {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}}),
                   soon());
  ASSERT_TRUE(has_status(first, 200));
  EXPECT_EQ(first.body, "plain /ws");
  EXPECT_FALSE(first.header("connection").has_value()) << first.describe();
  EXPECT_FALSE(first.header("upgrade").has_value()) << first.describe();
  HttpMessage second = c.round_trip(get_request("/next"), soon());
  ASSERT_TRUE(has_status(second, 200));
  EXPECT_EQ(second.body, "plain /next");
}

// Item 9 (the header clock starts at accept) is AdversaryTest.SilentConnection... and
// AdversaryTest.PartialHeadGets408AtRequestHeadersTimeoutFromAccept.

// Item 13: a request rejected by the codec is in the access log and in the counters.
TEST_F(ExchangeRulesTest, RejectedRequestsAreLoggedAndCounted) {
  HttpUpstream upstream(describe_request);
  TempDir dir;
  const std::string log_path = dir.path() + "/access.log";
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {R"(filters = ["access_log", "router"])",
                          "access_log = { path = " + toml_string(log_path) +
                              R"(, format = "%METHOD% %STATUS% %RESPONSE_FLAGS%" })"};
  ASSERT_TRUE(start(config));
  {
    HttpClient c = client();
    ASSERT_TRUE(c.connected());
    HttpMessage r = c.round_trip(
        request_bytes("POST", "/",
                      {{"Host", "h"}, {"Content-Length", "3"}, {"Transfer-Encoding", "chunked"}},
                      "0\r\n\r\n"),
        soon());
    ASSERT_TRUE(is_local_reply(r, 400));
  }
  {
    HttpClient c = client();
    ASSERT_TRUE(c.connected());
    HttpMessage r = c.round_trip("GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n", soon());
    ASSERT_TRUE(is_local_reply(r, 400));
  }
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(5))));
  std::vector<std::string> lines = lines_of(read_text_file(log_path));
  ASSERT_EQ(lines.size(), 2u) << read_text_file(log_path);
  EXPECT_EQ(lines[0], "- 400 DPE");
  EXPECT_EQ(lines[1], "- 400 DPE");
  EXPECT_NE(proxy_.log().find("2 requests (0 2xx, 0 3xx, 2 4xx"), std::string::npos);
  EXPECT_NE(proxy_.log().find("local: 2 bad request"), std::string::npos) << proxy_.log();
}

// Item 14: the keep-alive race. The upstream reads the next request on a pooled connection and
// closes it (FIN or RST) without a byte of response; every idempotent request must still be
// answered, from a retry on a new connection. Repeated, since the race is about timing.
class KeepAliveRace : public ExchangeRulesTest,
                      public ::testing::WithParamInterface<UpstreamReply::Then> {};

TEST_P(KeepAliveRace, IdempotentRequestsAreRetriedOnANewConnection) {
  const UpstreamReply::Then then = GetParam();
  HttpUpstream upstream([then](const UpstreamRequest& req) {
    UpstreamReply r;
    if (req.index == 0) {
      r.bytes = ok_response("served " + req.message.target);
    } else {
      r.then = then;  // read it, answer nothing, close
    }
    return r;
  });
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 40; ++i) {
    const std::string target = "/r" + std::to_string(i);
    HttpMessage r = c.round_trip(get_request(target), soon());
    ASSERT_TRUE(has_status(r, 200)) << "request " << i;
    EXPECT_EQ(r.body, "served " + target);
  }
  // A POST is not replayed: it gets the 502.
  HttpMessage post = c.round_trip(
      request_bytes("POST", "/p", {{"Host", "h"}, {"Content-Length", "2"}}, "hi"), soon());
  ASSERT_TRUE(is_local_reply(post, 502));
}

INSTANTIATE_TEST_SUITE_P(FinOrReset, KeepAliveRace,
                         ::testing::Values(UpstreamReply::Then::close, UpstreamReply::Then::reset));

// Item 14, the other timing: the upstream closes an idle pooled connection just as the next
// request is sent (its keep-alive timeout, here 0-9 ms, against a client pausing as long).
TEST_F(ExchangeRulesTest, UpstreamKeepAliveTimeoutRaceIsRetried) {
  HttpUpstream upstream([](const UpstreamRequest& req) {
    UpstreamReply r;
    r.bytes = ok_response("ok");
    r.idle_close = milliseconds(req.connection % 10);
    return r;
  });
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 60; ++i) {
    HttpMessage r = c.round_trip(get_request("/k"), soon());
    ASSERT_TRUE(has_status(r, 200)) << "request " << i;
    std::this_thread::sleep_for(milliseconds(i % 10));
  }
}

}  // namespace
}  // namespace ringress::test

namespace ringress::test {
namespace {

// 103 Early Hints go on to HTTP/1.1 clients without the upstream's hop-by-hop fields, and not to
// HTTP/1.0 clients (RFC 9110 15.2).
TEST_F(ExchangeRulesTest, InterimResponsesReachOnlyHttp11ClientsWithoutHopByHopFields) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply r;
    r.bytes =
        "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\nConnection: X-Hop\r\n"
        "X-Hop: 1\r\n\r\n" +
        ok_response("done");
    return r;
  });
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpClient::ReadOptions keep;
  keep.keep_interim = true;
  HttpMessage hints = c.round_trip(get_request("/h"), soon(), keep);
  ASSERT_TRUE(has_status(hints, 103));
  EXPECT_EQ(hints.header("link").value_or(""), "</s.css>; rel=preload");
  EXPECT_FALSE(hints.header("x-hop").has_value()) << hints.describe();
  EXPECT_FALSE(hints.header("connection").has_value()) << hints.describe();
  HttpMessage final_response = c.read_response(soon());
  ASSERT_TRUE(has_status(final_response, 200));
  EXPECT_EQ(final_response.body, "done");

  HttpClient old = client();
  ASSERT_TRUE(old.connected());
  ASSERT_TRUE(old.send("GET /h HTTP/1.0\r\nHost: h\r\n\r\n", soon()).ok());
  std::string raw = until_closed(old, soon());
  EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << raw;
  EXPECT_EQ(raw.find(" 103 "), std::string::npos) << raw;
}

}  // namespace
}  // namespace ringress::test

namespace ringress::test {
namespace {

// A reply that closes the connection before the request body was read (413 by Content-Length)
// ends with a FIN after a lingering read, not a reset: the unread body bytes must not turn the
// close into an RST that can destroy the reply at the client.
TEST_F(ExchangeRulesTest, ClosingBeforeTheBodyWasReadLingersAndEndsWithAFin) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port(), "max_body_size = \"1KiB\"")));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r =
      c.round_trip(request_bytes("POST", "/big", {{"Host", "h"}, {"Content-Length", "1048576"}},
                                 std::string(8192, 'x')),
                   soon());
  ASSERT_TRUE(is_local_reply(r, 413));
  // More of the body, as a client that does not read while it sends would.
  ASSERT_TRUE(c.send(std::string(16384, 'y'), soon()).ok());
  IoResult closed = c.wait_closed(deadline_in(stretched(seconds(3))));
  EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
  EXPECT_EQ(upstream.request_count(), 0u);
}

}  // namespace
}  // namespace ringress::test
