// The keep-alive race: the upstream closes an idle pooled connection shortly after each
// response. The proxy must notice (it keeps a read armed on idle connections) or retry, so the
// client never sees a 502 or 503 for it.
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using StaleConnectionTest = HttpProxyTest;

// Answers, then closes the connection if no new request starts within 100 ms.
UpstreamReply closes_when_idle(const UpstreamRequest& request) {
  UpstreamReply reply = describe_request(request);
  reply.idle_close = milliseconds(100);
  return reply;
}

TEST_F(StaleConnectionTest, RequestsAfterTheUpstreamClosedIdleConnectionSucceed) {
  HttpUpstream upstream(closes_when_idle);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 20; ++i) {
    std::string target = "/stale/" + std::to_string(i);
    HttpMessage r = c.round_trip(get_request(target), soon());
    ASSERT_TRUE(has_status(r, 200)) << "request " << i;
    EXPECT_EQ(r.body, "GET " + target + " 0");
    std::this_thread::sleep_for(milliseconds(150));
  }
  EXPECT_EQ(upstream.request_count(), 20u);
}

// The same with POST requests, which a proxy may not simply resend: the closed connection
// must have left the pool before the request was sent.
TEST_F(StaleConnectionTest, PostAfterTheUpstreamClosedIdleConnectionSucceeds) {
  HttpUpstream upstream(closes_when_idle);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 20; ++i) {
    std::string target = "/stale-post/" + std::to_string(i);
    HttpMessage r = c.round_trip(
        request_bytes("POST", target, {{"Host", "s"}, {"Content-Length", "4"}}, "data"), soon());
    ASSERT_TRUE(has_status(r, 200)) << "request " << i;
    EXPECT_EQ(r.body, "POST " + target + " 4");
    std::this_thread::sleep_for(milliseconds(150));
  }
  EXPECT_EQ(upstream.request_count(), 20u);
}

}  // namespace
}  // namespace ringress::test
