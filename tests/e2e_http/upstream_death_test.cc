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
  EXPECT_FALSE(r.ok()) << "a complete response arrived: " << r.describe();
  EXPECT_LT(r.body_size, 1000u);
  // The reason must be the connection's end, not a timeout.
  EXPECT_EQ(r.error.find("timeout"), std::string::npos) << r.error;
  IoResult closed = c.wait_closed(deadline_in(stretched(seconds(2))));
  EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
      << closed.describe();

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
