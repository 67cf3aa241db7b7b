// A slow reader on either side must not make the proxy buffer without bound: the writer is
// held back (its socket blocks), the proxy's resident memory stays flat, and once the reader
// catches up every byte arrives intact.
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/proxy_test.h"
#include "tests/support/test_servers.h"
#include "tests/support/transfer.h"

namespace ringress::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kFloodTime = seconds(2);
constexpr long kMaxGrowthKib = 16 * 1024;

class BackpressureTest : public ProxyTest {
 protected:
  // Few receive buffers, so touching the whole pool (2 MiB) cannot pass for unbounded growth.
  ProxyConfig small_pool_config(uint16_t upstream_port) const {
    ProxyConfig config = config_for({upstream_port});
    config.buffers_per_worker = 128;
    return config;
  }

  // Records the proxy's peak VmRSS; call often.
  void sample_rss() { peak_kib_ = std::max(peak_kib_, proxy_.rss_kib()); }

  long peak_kib_ = 0;
};

// The upstream reads nothing while the client writes as fast as it can for 2 s.
TEST_F(BackpressureTest, UpstreamNotReadingHoldsTheClientBack) {
  constexpr uint64_t kSeed = 5;
  StallServer upstream(kSeed);
  ASSERT_TRUE(start(small_pool_config(upstream.port())));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  ASSERT_TRUE(upstream.wait_accepted(1, deadline_in(seconds(5))));
  std::this_thread::sleep_for(milliseconds(50));
  const long before_kib = proxy_.rss_kib();
  ASSERT_GT(before_kib, 0);

  Deadline flood_end = deadline_in(kFloodTime);
  auto sample_until_end = [&] {
    sample_rss();
    return Clock::now() < flood_end;
  };
  TransferResult wrote = source_pattern_while(client.get(), kSeed, sample_until_end,
                                              deadline_in(kFloodTime + seconds(1)));
  sample_rss();
  RecordProperty("rss_growth_kib", std::to_string(peak_kib_ - before_kib));
  RecordProperty("client_wrote_bytes", std::to_string(wrote.sent));
  EXPECT_FALSE(wrote.send_failed) << wrote.describe();
  EXPECT_LT(peak_kib_ - before_kib, kMaxGrowthKib)
      << "proxy VmRSS went from " << before_kib << " KiB to " << peak_kib_ << " KiB while the "
      << "client wrote " << wrote.sent << " bytes that the upstream did not read";

  shutdown_write(client.get());
  upstream.resume();
  auto up = upstream.wait_results(1, deadline_in(stretched(seconds(20))));
  ASSERT_TRUE(up) << "the upstream did not get the client's EOF; client wrote " << wrote.sent;
  const TransferResult& u = (*up)[0];
  EXPECT_EQ(u.received, wrote.sent) << u.describe();
  EXPECT_EQ(u.mismatch, std::nullopt) << u.describe();
  EXPECT_EQ(u.end.status, IoResult::kEof) << u.describe();
}

// The client reads nothing while the upstream writes as fast as it can for 2 s.
TEST_F(BackpressureTest, ClientNotReadingHoldsTheUpstreamBack) {
  constexpr uint64_t kSeed = 6;
  FloodServer upstream(kSeed);
  ASSERT_TRUE(start(small_pool_config(upstream.port())));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  ASSERT_TRUE(upstream.wait_accepted(1, deadline_in(seconds(5))));
  const long before_kib = proxy_.rss_kib();
  ASSERT_GT(before_kib, 0);

  Deadline flood_end = deadline_in(kFloodTime);
  while (Clock::now() < flood_end) {
    sample_rss();
    std::this_thread::sleep_for(milliseconds(10));
  }
  upstream.stop_flooding();
  auto up = upstream.wait_results(1, deadline_in(seconds(5)));
  sample_rss();
  ASSERT_TRUE(up) << "the upstream did not stop writing";
  const TransferResult& u = (*up)[0];
  RecordProperty("rss_growth_kib", std::to_string(peak_kib_ - before_kib));
  RecordProperty("upstream_wrote_bytes", std::to_string(u.sent));
  EXPECT_FALSE(u.send_failed) << u.describe();
  EXPECT_LT(peak_kib_ - before_kib, kMaxGrowthKib)
      << "proxy VmRSS went from " << before_kib << " KiB to " << peak_kib_ << " KiB while the "
      << "upstream wrote " << u.sent << " bytes that the client did not read";

  TransferResult got = sink_pattern(client.get(), kSeed, deadline_in(stretched(seconds(20))));
  EXPECT_EQ(got.received, u.sent) << got.describe();
  EXPECT_EQ(got.mismatch, std::nullopt) << got.describe();
  EXPECT_EQ(got.end.status, IoResult::kEof) << got.describe();
}

}  // namespace
}  // namespace ringress::test
