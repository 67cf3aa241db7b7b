// Connection reuse: kept-alive client connections carry many requests, and the proxy's
// upstream connections are pooled, so the upstream sees a handful of connections, not one per
// request or per client.
#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using KeepAliveTest = HttpProxyTest;

constexpr unsigned kWorkers = 2;

TEST_F(KeepAliveTest, SequentialRequestsOnOneClientConnectionReuseOneUpstreamConnection) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.workers = kWorkers;
  ASSERT_TRUE(start(config));

  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 200; ++i) {
    std::string target = "/seq/" + std::to_string(i);
    HttpMessage r = c.round_trip(get_request(target), soon());
    ASSERT_TRUE(has_status(r, 200)) << "request " << i;
    ASSERT_EQ(r.body, "GET " + target + " 0") << "request " << i;
    ASSERT_FALSE(r.headers.has_token("connection", "close")) << "request " << i;
  }
  EXPECT_LE(upstream.accepted(), kWorkers);
  EXPECT_EQ(upstream.request_count(), 200u);
}

// 200 requests spread round-robin over 20 client connections, one at a time: every client
// connection is reused, and the upstream connections are shared by them through the pool.
TEST_F(KeepAliveTest, TwentyClientConnectionsShareThePooledUpstreamConnections) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.workers = kWorkers;
  ASSERT_TRUE(start(config));

  std::vector<HttpClient> clients;
  for (int i = 0; i < 20; ++i) {
    clients.emplace_back(listen_port_);
    ASSERT_TRUE(clients.back().connected()) << "client " << i;
  }
  for (int i = 0; i < 200; ++i) {
    std::string target = "/rr/" + std::to_string(i);
    HttpMessage r = clients[i % 20].round_trip(get_request(target), soon());
    ASSERT_TRUE(has_status(r, 200)) << "request " << i << " on client " << i % 20;
    ASSERT_EQ(r.body, "GET " + target + " 0");
  }
  EXPECT_LE(upstream.accepted(), kWorkers)
      << "with one request in flight at a time, each worker needs one upstream connection";
  EXPECT_EQ(upstream.request_count(), 200u);
}

}  // namespace
}  // namespace ringress::test
