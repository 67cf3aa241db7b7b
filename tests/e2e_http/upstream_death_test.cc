// An upstream that dies in the middle of a response body: the client must never receive what
// looks like a complete response, and the proxy goes on serving new connections.
#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using UpstreamDeathTest = HttpProxyTest;

// /die-close and /die-reset: a head promising 1000 bytes, 10 of them, then FIN or RST.
UpstreamReply dying_upstream(const UpstreamRequest& request) {
  const std::string& target = request.message.target;
  UpstreamReply reply;
  if (target == "/die-close" || target == "/die-reset") {
    reply.bytes =
        response_bytes(200, "OK", {{"Content-Length", "1000"}}, "", false) + std::string(10, 'x');
    reply.then = target == "/die-close" ? UpstreamReply::Then::close : UpstreamReply::Then::reset;
  } else {
    reply.bytes = ok_response("fine " + target);
  }
  return reply;
}

class UpstreamDiesMidBody : public UpstreamDeathTest,
                            public ::testing::WithParamInterface<const char*> {};

TEST_P(UpstreamDiesMidBody, ClientConnectionClosesBeforeACompleteResponse) {
  HttpUpstream upstream(dying_upstream);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(get_request(GetParam()), soon());
  // The head and the 10 bytes, then the proxy's clean close (FIN: a reset would read as
  // "receiving a response: reset"), never a complete response and never a timeout.
  EXPECT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body, std::string(10, 'x'));
  EXPECT_EQ(r.error, "connection closed in the middle of the body, after 10 body bytes");
  IoResult closed = c.wait_closed(deadline_in(stretched(seconds(2))));
  EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
  EXPECT_EQ(closed.bytes, 0u);

  HttpClient next = client();
  ASSERT_TRUE(next.connected());
  HttpMessage fine = next.round_trip(get_request("/fine"), soon());
  ASSERT_TRUE(has_status(fine, 200));
  EXPECT_EQ(fine.body, "fine /fine");
}

INSTANTIATE_TEST_SUITE_P(CloseOrReset, UpstreamDiesMidBody,
                         ::testing::Values("/die-close", "/die-reset"));

}  // namespace
}  // namespace ringress::test
