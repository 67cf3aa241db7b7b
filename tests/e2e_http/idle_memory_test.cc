// Idle keep-alive connections give their request memory back to the listener; that memory must
// not keep receive buffers alive. With a pool of 64 receive buffers, 100 connections that each
// sent a POST and then went idle would otherwise hold all of them, and the next request would
// wait for a buffer forever.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using IdleMemoryTest = HttpProxyTest;
using Fields = std::vector<std::pair<std::string, std::string>>;

TEST_F(IdleMemoryTest, IdleConnectionsHoldNoReceiveBuffers) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.buffers_per_worker = 64;
  config.buffer_size = "4KiB";
  config.connection_buffer = "8KiB";
  ASSERT_TRUE(start(config));

  const std::string body = "payload";
  const Fields fields = {{"Host", "test.local"}, {"Content-Length", std::to_string(body.size())}};
  std::vector<HttpClient> idle;
  for (int i = 0; i < 100; ++i) {
    idle.emplace_back(listen_port_);
    ASSERT_TRUE(idle.back().connected()) << "client " << i;
    HttpMessage r = idle.back().round_trip(request_bytes("POST", "/p", fields, body), soon());
    ASSERT_TRUE(has_status(r, 200)) << "client " << i;
  }

  HttpClient fresh = client();
  ASSERT_TRUE(fresh.connected());
  HttpMessage r = fresh.round_trip(request_bytes("POST", "/after", fields, body), soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "POST /after " + std::to_string(body.size()));
}

}  // namespace
}  // namespace ringress::test
