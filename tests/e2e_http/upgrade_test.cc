// Upgrade (WebSocket) requests: a byte tunnel after the upstream's 101 on routes with
// allow_upgrade, and a plain request with the Upgrade fields removed on other routes.
#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using UpgradeTest = HttpProxyTest;

const std::string kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

// 101 + echo for a request that asks to upgrade; a plain 200 naming what arrived otherwise.
UpstreamReply websocket_upstream(const UpstreamRequest& request) {
  const HttpMessage& m = request.message;
  UpstreamReply reply;
  if (m.headers.has_token("connection", "upgrade") && m.header("upgrade") == "websocket") {
    reply.bytes = response_bytes(
        101, "Switching Protocols",
        {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", kAccept}},
        "", false);
    reply.then = UpstreamReply::Then::echo;
  } else {
    reply.bytes = ok_response("plain " + m.target);
  }
  return reply;
}

HttpProxyConfig upgrade_config(uint16_t listen_port, uint16_t upstream) {
  HttpProxyConfig config;
  config.listen_port = listen_port;
  config.virtual_hosts.push_back(
      {"all",
       {"*"},
       {R"({ prefix = "/ws", cluster = "backend", allow_upgrade = true })",
        R"({ prefix = "/", cluster = "backend" })"}});
  config.clusters.push_back({"backend", {upstream}, {}});
  return config;
}

TEST_F(UpgradeTest, WebSocketTunnelCarriesBytesBothWays) {
  HttpUpstream upstream(websocket_upstream);
  ASSERT_TRUE(start(upgrade_config(listen_port_, upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());

  HttpMessage r = c.round_trip(websocket_handshake("/ws/chat"), soon());
  ASSERT_TRUE(has_status(r, 101));
  EXPECT_EQ(r.header("upgrade"), "websocket");
  EXPECT_TRUE(r.headers.has_token("connection", "upgrade")) << r.describe();
  EXPECT_EQ(r.header("sec-websocket-accept"), kAccept);

  auto seen = upstream.wait_requests(1, soon());
  ASSERT_TRUE(seen);
  const HttpMessage& up = (*seen)[0].message;
  EXPECT_EQ(up.header("upgrade"), "websocket") << up.describe();
  EXPECT_TRUE(up.headers.has_token("connection", "upgrade")) << up.describe();
  EXPECT_EQ(up.header("sec-websocket-key"), "dGhlIHNhbXBsZSBub25jZQ==");

  // Small frames, then 256 KiB in 16 KiB steps; each must come back exactly.
  std::string echoed;
  for (std::string message : {std::string("\x81\x05hello", 7), std::string("ping"),
                              std::string("GET / HTTP/1.1\r\n\r\n")}) {
    ASSERT_TRUE(c.send(message, soon()).ok());
    echoed.clear();
    IoResult got = c.recv_raw(echoed, message.size(), soon());
    ASSERT_TRUE(got.ok()) << got.describe();
    EXPECT_EQ(echoed, message);
  }
  const std::string big = pattern_text(5, 256 * 1024);
  for (size_t off = 0; off < big.size(); off += 16384) {
    std::string piece = big.substr(off, 16384);
    ASSERT_TRUE(c.send(piece, soon()).ok());
    echoed.clear();
    IoResult got = c.recv_raw(echoed, piece.size(), soon());
    ASSERT_TRUE(got.ok()) << "at offset " << off << ": " << got.describe();
    ASSERT_TRUE(echoed == piece) << "at offset " << off;
  }
  EXPECT_EQ(upstream.request_count(), 1u) << "tunnel bytes were parsed as requests";
}

TEST_F(UpgradeTest, UpgradeOnRouteWithoutAllowUpgradeIsAPlainRequest) {
  HttpUpstream upstream(websocket_upstream);
  ASSERT_TRUE(start(upgrade_config(listen_port_, upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());

  HttpMessage r = c.round_trip(websocket_handshake("/chat"), soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "plain /chat");

  auto seen = upstream.wait_requests(1, soon());
  ASSERT_TRUE(seen);
  const HttpMessage& up = (*seen)[0].message;
  EXPECT_EQ(up.headers.count("upgrade"), 0u) << up.describe();
  EXPECT_FALSE(up.headers.has_token("connection", "upgrade")) << up.describe();

  // The connection is still HTTP.
  HttpMessage next = c.round_trip(get_request("/after"), soon());
  ASSERT_TRUE(has_status(next, 200));
  EXPECT_EQ(next.body, "plain /after");
}

// Forwarded as a plain request, a CONNECT the upstream accepts would be a tunnel to it and more
// requests to ringress. Only a route that takes upgrades carries one; else 404 and the close.
TEST_F(UpgradeTest, ConnectWithoutATunnelRouteIsRefusedAndTheConnectionClosed) {
  HttpUpstream upstream(websocket_upstream);
  ASSERT_TRUE(start(upgrade_config(listen_port_, upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send("CONNECT www.example.com:443 HTTP/1.1\r\nHost: www.example.com:443\r\n\r\n"
                     "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
                     soon())
                  .ok());
  std::string raw;
  IoResult closed = c.wait_closed(soon(), &raw);
  EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
      << closed.describe();
  EXPECT_EQ(raw.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << raw;
  EXPECT_NE(raw.find("\r\nConnection: close\r\n"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("HTTP/1.1", 1), std::string::npos) << "one response only: " << raw;
  EXPECT_EQ(upstream.request_count(), 0u);
}

}  // namespace
}  // namespace ringress::test
