// HTTP/1.1 pipelining: requests sent back to back in one write are answered in order.
#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using PipeliningTest = HttpProxyTest;

TEST_F(PipeliningTest, TenRequestsInOneWriteAreAnsweredInOrder) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));

  std::string batch;
  std::vector<std::string> expected;
  for (int i = 0; i < 10; ++i) {
    std::string target = "/pipe/" + std::to_string(i);
    if (i % 3 == 1) {
      std::string body(100 * i, static_cast<char>('a' + i));
      batch += request_bytes(
          "POST", target, {{"Host", "p"}, {"Content-Length", std::to_string(body.size())}}, body);
      expected.push_back("POST " + target + " " + std::to_string(body.size()));
    } else {
      batch += get_request(target, "p");
      expected.push_back("GET " + target + " 0");
    }
  }
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(batch, soon()).ok());
  for (int i = 0; i < 10; ++i) {
    HttpMessage r = c.read_response(soon());
    ASSERT_TRUE(has_status(r, 200)) << "response " << i;
    EXPECT_EQ(r.body, expected[i]) << "response " << i;
  }

  auto seen = upstream.wait_requests(10, soon());
  ASSERT_TRUE(seen);
  for (int i = 0; i < 10; ++i) EXPECT_EQ((*seen)[i].message.target, "/pipe/" + std::to_string(i));
  // Still usable afterwards.
  HttpMessage after = c.round_trip(get_request("/after"), soon());
  EXPECT_TRUE(has_status(after, 200));
  EXPECT_EQ(after.body, "GET /after 0");
}

}  // namespace
}  // namespace ringress::test
