// A request in flight holds no receive buffer once its head is parsed: the head is copied into
// the request's arena, so a bodiless request waiting for its upstream gives its buffer back at
// once. With a pool of 64 receive buffers, 100 GETs waiting on an upstream that never answers
// would otherwise hold all of them, and a request to another route would wait for a buffer
// until its deadline.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using RequestBufferTest = HttpProxyTest;

TEST_F(RequestBufferTest, RequestsWaitingForTheirUpstreamHoldNoReceiveBuffer) {
  HttpUpstream upstream([](const UpstreamRequest& req) {
    UpstreamReply r;
    if (req.message.target == "/ok") {
      r.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    } else {
      r.then = UpstreamReply::Then::stall;
    }
    return r;
  });
  HttpProxyConfig config = config_for(upstream.port());
  config.buffers_per_worker = 64;
  config.buffer_size = "4KiB";
  config.connection_buffer = "8KiB";
  ASSERT_TRUE(start(config));

  constexpr size_t kWaiting = 100;
  std::vector<HttpClient> waiting;
  for (size_t i = 0; i < kWaiting; ++i) {
    waiting.emplace_back(listen_port_);
    ASSERT_TRUE(waiting.back().connected()) << "client " << i;
    ASSERT_TRUE(waiting.back().send(request_bytes("GET", "/stall", {{"Host", "h"}}), soon()).ok())
        << "client " << i;
  }
  ASSERT_TRUE(upstream.wait_requests(kWaiting, soon())) << upstream.request_count();

  HttpClient fresh = client();
  ASSERT_TRUE(fresh.connected());
  HttpMessage r = fresh.round_trip(request_bytes("GET", "/ok", {{"Host", "h"}}), soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "ok");
}

}  // namespace
}  // namespace ringress::test
