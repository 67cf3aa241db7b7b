// Expect: 100-continue is answered by ringress itself and never forwarded.
#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using ExpectContinueTest = HttpProxyTest;

TEST_F(ExpectContinueTest, ClientGets100ContinueAndUpstreamNoExpect) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());

  const std::string body = "the body, sent only after 100 Continue";
  ASSERT_TRUE(c.send(request_bytes("PUT", "/expect",
                                   {{"Host", "e"},
                                    {"Expect", "100-continue"},
                                    {"Content-Length", std::to_string(body.size())}}),
                     soon())
                  .ok());
  HttpClient::ReadOptions interim;
  interim.keep_interim = true;
  HttpMessage cont = c.read_response(soon(), interim);
  ASSERT_TRUE(has_status(cont, 100));
  EXPECT_EQ(cont.head, "HTTP/1.1 100 Continue\r\n\r\n");

  ASSERT_TRUE(c.send(body, soon()).ok());
  HttpMessage r = c.read_response(soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "PUT /expect " + std::to_string(body.size()));

  auto seen = upstream.wait_requests(1, soon());
  ASSERT_TRUE(seen);
  const HttpMessage& up = (*seen)[0].message;
  EXPECT_TRUE(up.ok()) << up.describe();
  EXPECT_EQ(up.headers.count("expect"), 0u) << up.headers.describe();
  EXPECT_EQ(up.body, body);

  // The connection goes on.
  EXPECT_TRUE(has_status(c.round_trip(get_request("/next"), soon()), 200));
}

}  // namespace
}  // namespace ringress::test
