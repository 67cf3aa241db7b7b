// Upstreams that refuse, are all down, or die mid-stream: the proxy fails over where it can and
// otherwise closes the client promptly, and stays up for the next connection.
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/proxy_test.h"
#include "tests/support/test_servers.h"
#include "tests/support/transfer.h"

namespace ringress::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using UpstreamFailureTest = ProxyTest;

// The first endpoint refuses (a port that was bound then closed); every connection must still
// reach the live second endpoint.
TEST_F(UpstreamFailureTest, RefusedEndpointFallsThroughToTheNext) {
  constexpr size_t kConnections = 20;
  uint16_t refusing = free_port();
  EchoServer live;
  ASSERT_TRUE(start(config_for({refusing, live.port()})));

  for (size_t i = 0; i < kConnections; ++i) {
    Fd client = connect_client();
    ASSERT_TRUE(client.valid()) << "connection " << i << ": " << strerror(errno);
    EXPECT_TRUE(round_trip(client.get(), "hello " + std::to_string(i), deadline_in(seconds(5))))
        << "connection " << i;
  }
  EXPECT_EQ(live.accepted(), kConnections);
}

// With every endpoint refusing, each client connection is closed (EOF or reset) within 3 s,
// without a byte, and the proxy keeps running.
TEST_F(UpstreamFailureTest, AllEndpointsDownClosesTheClientPromptly) {
  ASSERT_TRUE(start(config_for({free_port(), free_port()})));

  for (int i = 0; i < 3; ++i) {
    Fd client = connect_client();
    ASSERT_TRUE(client.valid()) << strerror(errno);
    send_all(client.get(), std::string("hello"), deadline_in(seconds(1)));
    IoResult r = wait_closed(client.get(), deadline_in(seconds(3)));
    EXPECT_TRUE(is_closed(r)) << "connection " << i << ": " << r.describe();
    EXPECT_EQ(r.bytes, 0u) << "connection " << i;
  }
  EXPECT_TRUE(proxy_.running());
}

// The upstream sends 256 KiB, then resets the connection. The client must get those bytes
// intact and then see its connection closed within 2 s; the next connection still works.
TEST_F(UpstreamFailureTest, UpstreamResetMidStreamClosesTheClient) {
  constexpr uint64_t kSeed = 7, kBytes = 256 * 1024;
  ResetServer upstream(kBytes, kSeed);
  ASSERT_TRUE(start(config_for({upstream.port()})));
  const std::string expected = pattern_bytes(kSeed, kBytes);

  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  std::string got(kBytes, '\0');
  IoResult r = recv_exact(client.get(), got.data(), got.size(), deadline_in(seconds(5)));
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_TRUE(got == expected) << "the bytes before the reset arrived altered";

  upstream.reset_all();
  IoResult closed = wait_closed(client.get(), deadline_in(seconds(2)));
  EXPECT_TRUE(is_closed(closed)) << closed.describe();
  EXPECT_EQ(closed.bytes, 0u);

  ASSERT_TRUE(proxy_.running());
  Fd next = connect_client();
  ASSERT_TRUE(next.valid()) << strerror(errno);
  r = recv_exact(next.get(), got.data(), got.size(), deadline_in(seconds(5)));
  EXPECT_TRUE(r.ok()) << "a connection after the reset: " << r.describe();
  EXPECT_TRUE(got == expected);
}

}  // namespace
}  // namespace ringress::test
