// Bytes through the proxy: a large full-duplex transfer and a half-closed exchange, each checked
// byte for byte from both ends.
#include <gtest/gtest.h>

#include "tests/e2e/proxy_test.h"
#include "tests/support/test_servers.h"
#include "tests/support/transfer.h"

namespace ringress::test {
namespace {

using std::chrono::seconds;

using TransferTest = ProxyTest;

// Client and upstream each send 100 MB (scaled by RINGRESS_TEST_SCALE) at the same time, then
// shut down their write side; each must receive exactly the other's stream, then EOF.
TEST_F(TransferTest, HundredMegabytesEachWayArriveIntact) {
  const uint64_t bytes = scaled_bytes(100'000'000);
  constexpr uint64_t kClientSeed = 1, kUpstreamSeed = 2;
  PatternServer upstream(bytes, kUpstreamSeed, kClientSeed);
  ASSERT_TRUE(start(config_for({upstream.port()})));

  Deadline deadline = deadline_in(stretched(seconds(25)));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  TransferResult down =
      exchange_patterns(client.get(), bytes, kClientSeed, kUpstreamSeed, deadline);
  auto up = upstream.wait_results(1, deadline);
  ASSERT_TRUE(up) << "the upstream did not finish; client side: " << down.describe();

  EXPECT_FALSE(down.send_failed) << down.describe();
  EXPECT_EQ(down.sent, bytes);
  EXPECT_EQ(down.received, bytes) << down.describe();
  EXPECT_EQ(down.mismatch, std::nullopt) << down.describe();
  EXPECT_EQ(down.end.status, IoResult::kEof) << down.describe();

  const TransferResult& u = (*up)[0];
  EXPECT_FALSE(u.send_failed) << u.describe();
  EXPECT_EQ(u.sent, bytes);
  EXPECT_EQ(u.received, bytes) << u.describe();
  EXPECT_EQ(u.mismatch, std::nullopt) << u.describe();
  EXPECT_EQ(u.end.status, IoResult::kEof) << u.describe();
}

// The client sends a request and shuts down its write side. The upstream must see exactly those
// bytes then EOF, and its reply, sent after that EOF, must reach the client in full before the
// client sees EOF.
TEST_F(TransferTest, HalfCloseCarriesReplyAfterClientEof) {
  const std::string request = pattern_bytes(3, 100 * 1024);
  constexpr uint64_t kReplySeed = 4, kReplyBytes = 256 * 1024;
  HalfCloseServer upstream(kReplyBytes, kReplySeed);
  ASSERT_TRUE(start(config_for({upstream.port()})));

  Deadline deadline = deadline_in(seconds(10));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  ASSERT_TRUE(send_all(client.get(), request, deadline).ok());
  shutdown_write(client.get());
  std::string reply;
  IoResult end = recv_until_closed(client.get(), reply, 2 * kReplyBytes, deadline);

  auto up = upstream.wait_results(1, deadline);
  ASSERT_TRUE(up) << "the upstream never saw the client's EOF; client: " << end.describe();
  const HalfCloseServer::Result& u = (*up)[0];
  EXPECT_EQ(u.end.status, IoResult::kEof) << u.end.describe();
  EXPECT_EQ(u.received.size(), request.size());
  EXPECT_TRUE(u.received == request) << "the upstream received different bytes";
  EXPECT_TRUE(u.reply.ok()) << "the upstream's reply: " << u.reply.describe();

  EXPECT_EQ(end.status, IoResult::kEof) << end.describe();
  EXPECT_EQ(reply.size(), kReplyBytes);
  EXPECT_TRUE(reply == pattern_bytes(kReplySeed, kReplyBytes)) << "the reply arrived altered";
}

}  // namespace
}  // namespace ringress::test
