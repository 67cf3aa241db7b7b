// Receive-buffer starvation: many connections that each wait on a slow upstream drip pipelined
// requests one byte per TCP segment. Every such segment used to pin a whole receive buffer, so
// a few KiB from a few clients emptied the worker's pool and every other connection on that
// worker stopped. Each connection may hold only its share now, whatever its segments look like.
#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using StarvationTest = HttpProxyTest;

constexpr int kDrippers = 40;
constexpr size_t kBytesPerDripper = 3000;

// One attacker: a request the slow upstream holds, then pipelined requests one byte per send
// (TCP_NODELAY, so one segment each), then it leaves.
void drip(uint16_t port, int id, std::atomic<size_t>& sent, Deadline deadline) {
  HttpClient c(port);
  if (!c.connected()) return;
  if (!c.send(get_request("/slow/" + std::to_string(id), "drip"), deadline).ok()) return;
  std::string pipelined;
  for (int k = 0; pipelined.size() < kBytesPerDripper; ++k)
    pipelined += get_request("/slow/" + std::to_string(id) + "/" + std::to_string(k), "drip");
  pipelined.resize(kBytesPerDripper);
  for (size_t i = 0; i < pipelined.size() && Clock::now() < deadline; ++i) {
    if (!c.send(std::string_view(pipelined).substr(i, 1), deadline).ok()) return;
    sent.fetch_add(1, std::memory_order_relaxed);
    // Paced, so that the proxy takes each byte in a receive of its own.
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

// A /healthz round trip on a new connection; how long it took, or a failure.
struct Probe {
  bool ok = false;
  milliseconds took{0};
  std::string error;
};

Probe probe(uint16_t port) {
  Probe p;
  Clock::time_point start = Clock::now();
  HttpClient c(port);
  if (!c.connected()) {
    p.error = "cannot connect";
    return p;
  }
  HttpMessage r = c.round_trip(get_request("/healthz"), deadline_in(seconds(3)));
  p.took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  if (!r.ok() || r.status != 200 || r.body != "ok")
    p.error = "no 200 \"ok\": " + r.describe();
  else
    p.ok = true;
  return p;
}

TEST_F(StarvationTest, TinySegmentsOnManyConnectionsLeaveOthersServed) {
  // Requests under /slow are answered after 20 s (longer than the test: stop() cuts it short).
  HttpUpstream upstream([](const UpstreamRequest& request) {
    UpstreamReply reply = describe_request(request);
    reply.delay = milliseconds(20000);
    return reply;
  });
  HttpProxyConfig config = config_for(upstream.port());
  config.workers = 1;
  config.buffers_per_worker = 4096;  // the default pool: 4096 x 16 KiB
  config.connection_buffer = "64KiB";
  config.virtual_hosts[0].routes.insert(
      config.virtual_hosts[0].routes.begin(),
      R"({ exact = "/healthz", direct_response = { status = 200, body = "ok" } })");
  ASSERT_TRUE(start(config));
  ASSERT_TRUE(probe(listen_port_).ok);

  std::atomic<size_t> sent{0};
  const Deadline drip_deadline = deadline_in(stretched(seconds(10)));
  std::vector<std::thread> drippers;
  for (int i = 0; i < kDrippers; ++i)
    drippers.emplace_back(drip, listen_port_, i, std::ref(sent), drip_deadline);

  // While they drip: a new client at a time, each answered well under a second.
  const milliseconds bound = stretched(milliseconds(500));
  std::vector<Probe> during;
  const size_t total = kDrippers * kBytesPerDripper;
  while (sent.load() < total && Clock::now() < drip_deadline) {
    during.push_back(probe(listen_port_));
    std::this_thread::sleep_for(milliseconds(20));
  }
  for (auto& t : drippers) t.join();
  EXPECT_EQ(sent.load(), total) << "the drippers could not send everything";
  during.push_back(probe(listen_port_));  // the drippers' bytes are all queued by now
  ASSERT_TRUE(upstream.wait_requests(kDrippers, soon())) << "not every dripper was proxied";

  EXPECT_GE(during.size(), 5u);
  milliseconds slowest{0};
  for (size_t i = 0; i < during.size(); ++i) {
    EXPECT_TRUE(during[i].ok) << "probe " << i << " of " << during.size() << ": "
                              << during[i].error;
    EXPECT_LT(during[i].took, bound) << "probe " << i << " of " << during.size();
    slowest = std::max(slowest, during[i].took);
  }
  RecordProperty("slowest_probe_ms", static_cast<int>(slowest.count()));

  // The drippers have left (their sockets closed), their requests still wait on the upstream:
  // the proxy keeps serving everyone else.
  for (int i = 0; i < 5; ++i) {
    Probe after = probe(listen_port_);
    EXPECT_TRUE(after.ok) << "after the drippers left, probe " << i << ": " << after.error;
    EXPECT_LT(after.took, bound) << "after the drippers left, probe " << i;
  }
  // The slow upstream saw only the first request of each dripper so far, whole.
  for (const UpstreamRequest& r : upstream.requests())
    EXPECT_EQ(r.message.target.rfind("/slow/", 0), 0u) << r.message.describe();
}

}  // namespace
}  // namespace ringress::test
