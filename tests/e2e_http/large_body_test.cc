// 100 MiB request and response bodies stream through the proxy: every byte arrives (checked
// against the Pattern stream) and the proxy's resident memory stays far below the body size.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"
#include "tests/support/digest.h"
#include "tests/support/pattern.h"

namespace ringress::test {
namespace {

constexpr long kMaxGrowthKib = 32 * 1024;

// Samples the proxy's RSS every 10 ms on a thread and keeps the peak.
class RssSampler {
 public:
  explicit RssSampler(const ProxyProcess& proxy) : proxy_(proxy) {
    thread_ = std::thread([this] {
      while (!stop_) {
        peak_ = std::max(peak_.load(), proxy_.rss_kib());
        std::this_thread::sleep_for(milliseconds(10));
      }
    });
  }
  ~RssSampler() { stop(); }
  long stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    peak_ = std::max(peak_.load(), proxy_.rss_kib());
    return peak_;
  }

 private:
  const ProxyProcess& proxy_;
  std::atomic<bool> stop_{false};
  std::atomic<long> peak_{0};
  std::thread thread_;
};

class LargeBodyTest : public HttpProxyTest {
 protected:
  // Starts the proxy (1024 receive buffers of 16 KiB: at most 16 MiB of receive memory, so
  // the bound below measures buffering, not the pool) and warms it up with one request.
  void start_and_warm_up(const HttpUpstream& upstream) {
    HttpProxyConfig config = config_for(upstream.port());
    config.buffers_per_worker = 1024;
    config.buffer_size = "16KiB";
    ASSERT_TRUE(start(config));
    HttpClient c = client();
    ASSERT_TRUE(has_status(c.round_trip(get_request("/warm-up"), soon()), 200));
    baseline_kib_ = proxy_.rss_kib();
    ASSERT_GT(baseline_kib_, 0);
  }

  long baseline_kib_ = 0;
};

TEST_F(LargeBodyTest, HundredMegabyteRequestBodyStreams) {
  const uint64_t size = scaled_bytes(100ull << 20);
  constexpr uint64_t kSeed = 41;
  HttpUpstream upstream([](const UpstreamRequest& r) {
    UpstreamReply reply;
    reply.bytes = ok_response("received " + std::to_string(r.message.body_size));
    return reply;
  });
  start_and_warm_up(upstream);
  if (HasFatalFailure()) return;

  RssSampler rss(proxy_);
  Deadline deadline = deadline_in(stretched(seconds(30)));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(request_bytes("POST", "/upload",
                                   {{"Host", "big"}, {"Content-Length", std::to_string(size)}}),
                     deadline)
                  .ok());
  Pattern pattern(kSeed);
  Digest sent;
  std::vector<uint8_t> chunk(1 << 20);
  for (uint64_t left = size; left > 0;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
    pattern.fill(chunk.data(), n);
    sent.update(chunk.data(), n);
    IoResult r = send_all(c.fd(), chunk.data(), n, deadline);
    ASSERT_TRUE(r.ok()) << "after " << size - left << " body bytes: " << r.describe();
    left -= n;
  }
  HttpMessage r = c.read_response(deadline);
  long peak = rss.stop();
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "received " + std::to_string(size));

  auto seen = upstream.wait_requests(2, soon());
  ASSERT_TRUE(seen);
  const HttpMessage& up = (*seen)[1].message;
  EXPECT_TRUE(up.ok()) << up.describe();
  EXPECT_EQ(up.body_size, size);
  EXPECT_EQ(up.body_digest, sent.value()) << "the body arrived changed";
  RecordProperty("rss_growth_kib", std::to_string(peak - baseline_kib_));
  EXPECT_LT(peak - baseline_kib_, kMaxGrowthKib)
      << "RSS went from " << baseline_kib_ << " KiB to " << peak << " KiB";
}

TEST_F(LargeBodyTest, HundredMegabyteResponseBodyStreams) {
  const uint64_t size = scaled_bytes(100ull << 20);
  constexpr uint64_t kSeed = 42;
  HttpUpstream upstream([size](const UpstreamRequest& r) {
    UpstreamReply reply;
    if (r.message.target == "/warm-up") {
      reply.bytes = ok_response("warm");
    } else {
      reply.bytes =
          response_bytes(200, "OK", {{"Content-Length", std::to_string(size)}}, "", false);
      reply.pattern_bytes = size;
      reply.pattern_seed = kSeed;
    }
    return reply;
  });
  start_and_warm_up(upstream);
  if (HasFatalFailure()) return;

  RssSampler rss(proxy_);
  Deadline deadline = deadline_in(stretched(seconds(30)));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  Pattern expected(kSeed);
  HttpClient::ReadOptions options;
  options.body_sink = [&](const char* data, size_t n) {
    expected.check(reinterpret_cast<const uint8_t*>(data), n);
  };
  HttpMessage r = c.round_trip(get_request("/download"), deadline, options);
  long peak = rss.stop();
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body_size, size);
  EXPECT_FALSE(expected.first_mismatch())
      << "first wrong byte at offset " << *expected.first_mismatch();
  RecordProperty("rss_growth_kib", std::to_string(peak - baseline_kib_));
  EXPECT_LT(peak - baseline_kib_, kMaxGrowthKib)
      << "RSS went from " << baseline_kib_ << " KiB to " << peak << " KiB";
}

}  // namespace
}  // namespace ringress::test
