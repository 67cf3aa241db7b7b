// Passive outlier detection end to end: of two upstreams, the one that answers 500 is ejected
// after consecutive_5xx of them, gets no request while it is out, and gets requests again once
// its base_ejection_time is over.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using OutlierDetectionTest = HttpProxyTest;

UpstreamReply answer(int status, const std::string& body) {
  UpstreamReply reply;
  reply.bytes = response_bytes(status, status == 200 ? "OK" : "Internal Server Error", {}, body);
  return reply;
}

// How long a host-set change, once logged, may take to reach the worker: the control loop logs
// it just before sending the new snapshot, and the worker swaps it in between requests.
constexpr milliseconds kSnapshotSettle{100};

// Waits until the proxy's log holds `line`, then for the snapshot to settle; false at the
// deadline.
bool wait_for_log(ProxyProcess& proxy, const std::string& line, Deadline deadline) {
  for (;;) {
    if (proxy.log().find(line) != std::string::npos) {
      std::this_thread::sleep_for(kSnapshotSettle);
      return true;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

TEST_F(OutlierDetectionTest, A5xxUpstreamIsEjectedAndReturnsAfterTheEjectionTime) {
  HttpUpstream good([](const UpstreamRequest&) { return answer(200, "good"); });
  HttpUpstream bad([](const UpstreamRequest&) { return answer(500, "bad"); });
  HttpProxyConfig config = config_for(good.port());
  config.clusters[0].ports.push_back(bad.port());
  config.clusters[0].keys.push_back(
      "outlier_detection = { consecutive_5xx = 3, base_ejection_time = \"4s\", "
      "max_ejection_percent = 50 }");
  ASSERT_TRUE(start(config));
  const std::string bad_host = "127.0.0.1:" + std::to_string(bad.port());

  // Round robin alternates: six requests give the bad upstream its three 500s.
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  int answered_500 = 0;
  for (int i = 0; i < 6; ++i) {
    HttpMessage r = c.round_trip(get_request("/x"), soon());
    ASSERT_TRUE(r.ok()) << r.describe();
    if (r.status == 500) {
      EXPECT_EQ(r.body, "bad");
      ++answered_500;
    } else {
      ASSERT_TRUE(has_status(r, 200));
      EXPECT_EQ(r.body, "good");
    }
  }
  ASSERT_EQ(answered_500, 3);
  ASSERT_EQ(bad.request_count(), 3u);
  ASSERT_TRUE(wait_for_log(
      proxy_, "cluster backend: host " + bad_host + " ejected for 4000 ms: 3 consecutive 5xx",
      soon()));

  // Ejected: every request goes to the good upstream (4 s is ample for these).
  for (int i = 0; i < 20; ++i) {
    HttpMessage r = c.round_trip(get_request("/y"), soon());
    ASSERT_TRUE(has_status(r, 200));
    EXPECT_EQ(r.body, "good");
  }
  EXPECT_EQ(bad.request_count(), 3u);

  // Back after base_ejection_time: it gets requests again.
  ASSERT_TRUE(wait_for_log(
      proxy_, "cluster backend: host " + bad_host + " back in service: ejection time elapsed",
      deadline_in(stretched(seconds(10)))));
  int back = 0;
  for (int i = 0; i < 4; ++i) {
    HttpMessage r = c.round_trip(get_request("/z"), soon());
    ASSERT_TRUE(r.ok()) << r.describe();
    if (r.status == 500) ++back;
  }
  EXPECT_EQ(back, 2);
  EXPECT_EQ(bad.request_count(), 5u);
}

}  // namespace
}  // namespace ringress::test
