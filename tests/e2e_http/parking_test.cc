// Parked keep-alive connections: a plain connection idle for longer than its park delay (20 ms
// after a quick first request) keeps only a small record and one poll on its socket (see
// docs/design.md, "Request memory"). It must behave exactly like an unparked one: its next
// request is served (also when it arrives just as the connection parks), a client that closes
// while parked leaves no descriptor behind, idle_timeout and drain close it, and it still
// counts toward max_connections.
#include <signal.h>

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using ParkingTest = HttpProxyTest;

// Longer than the longest park delay after a quick request (the 20 ms minimum).
constexpr milliseconds kParked{150};

std::string described(const std::string& target) { return "GET " + target + " 0"; }

TEST_F(ParkingTest, ParkedConnectionServesItsNextRequests) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 5; ++i) {
    const std::string target = "/parked/" + std::to_string(i);
    HttpMessage r = c.round_trip(get_request(target), soon());
    ASSERT_TRUE(has_status(r, 200)) << "request " << i;
    EXPECT_EQ(r.body, described(target));
    EXPECT_FALSE(r.headers.has_token("connection", "close"));
    std::this_thread::sleep_for(kParked);
  }
  // Two pipelined requests wake a parked connection: both are answered, in order.
  HttpMessage a = c.round_trip(get_request("/a") + get_request("/b"), soon());
  ASSERT_TRUE(has_status(a, 200));
  EXPECT_EQ(a.body, described("/a"));
  HttpMessage b = c.read_response(soon());
  ASSERT_TRUE(has_status(b, 200));
  EXPECT_EQ(b.body, described("/b"));
}

// Requests sent around the moment the connection parks (its park delay is 20 ms after a quick
// request): whether the bytes reach the receive queue before it is stopped, while it is being
// stopped, or the socket after, each request is answered once.
TEST_F(ParkingTest, RequestArrivingAsTheConnectionParksIsServed) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 120; ++i) {
    const std::string first = "/first/" + std::to_string(i);
    HttpMessage r = c.round_trip(get_request(first), soon());
    ASSERT_TRUE(has_status(r, 200)) << "round " << i;
    ASSERT_EQ(r.body, described(first)) << "round " << i;
    std::this_thread::sleep_for(std::chrono::microseconds(17000 + 50 * i));  // 17 .. 23 ms
    const std::string second = "/second/" + std::to_string(i);
    const std::string third = "/third/" + std::to_string(i);
    HttpMessage s = c.round_trip(get_request(second) + get_request(third), soon());
    ASSERT_TRUE(has_status(s, 200)) << "round " << i;
    ASSERT_EQ(s.body, described(second)) << "round " << i;
    HttpMessage t = c.read_response(soon());
    ASSERT_TRUE(has_status(t, 200)) << "round " << i;
    ASSERT_EQ(t.body, described(third)) << "round " << i;
  }
  EXPECT_EQ(upstream.request_count(), 360u);
}

TEST_F(ParkingTest, ClientClosingWhileParkedLeavesNoDescriptor) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  {
    HttpClient warm = client();  // the upstream pool's connection is open from here on
    ASSERT_TRUE(has_status(warm.round_trip(get_request("/warm"), soon()), 200));
  }
  std::this_thread::sleep_for(kParked);
  const long baseline = proxy_.open_fds();
  ASSERT_GT(baseline, 0);
  std::vector<HttpClient> clients;
  for (int i = 0; i < 20; ++i) {
    clients.emplace_back(listen_port_);
    ASSERT_TRUE(clients.back().connected()) << "client " << i;
    ASSERT_TRUE(has_status(clients.back().round_trip(get_request("/x"), soon()), 200));
  }
  std::this_thread::sleep_for(kParked);
  EXPECT_GE(proxy_.open_fds(), baseline + 20);  // parked, still open
  clients.clear();
  long now = proxy_.open_fds();
  for (Deadline d = deadline_in(stretched(seconds(3))); now != baseline && Clock::now() < d;
       now = proxy_.open_fds())
    std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(now, baseline);
}

TEST_F(ParkingTest, IdleTimeoutClosesAParkedConnection) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {R"(idle_timeout = "600ms")"};
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(has_status(c.round_trip(get_request("/once"), soon()), 200));
  // Parked by now, and open until the idle timeout.
  IoResult early = c.wait_closed(deadline_in(milliseconds(200)));
  EXPECT_EQ(early.status, IoResult::kTimeout) << early.describe();
  IoResult closed = c.wait_closed(deadline_in(stretched(seconds(3))));
  EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
  EXPECT_EQ(closed.bytes, 0u);
}

TEST_F(ParkingTest, DrainClosesParkedConnectionsAtOnce) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.drain_timeout = "10s";
  ASSERT_TRUE(start(config));
  std::vector<HttpClient> clients;
  for (int i = 0; i < 10; ++i) {
    clients.emplace_back(listen_port_);
    ASSERT_TRUE(clients.back().connected()) << "client " << i;
    ASSERT_TRUE(has_status(clients.back().round_trip(get_request("/x"), soon()), 200));
  }
  std::this_thread::sleep_for(kParked);
  Clock::time_point term = Clock::now();
  ASSERT_TRUE(proxy_.signal(SIGTERM));
  for (auto& c : clients) {
    IoResult closed = c.wait_closed(deadline_in(stretched(milliseconds(1000))));
    EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
  }
  std::optional<ExitStatus> exit = proxy_.wait_exit(stretched(milliseconds(2000)));
  ASSERT_TRUE(exit) << "still running 2 s after SIGTERM with only parked connections";
  EXPECT_TRUE(exit->success()) << exit->describe();
  EXPECT_LT(Clock::now() - term, stretched(milliseconds(2000)));
}

TEST_F(ParkingTest, ParkedConnectionsCountTowardMaxConnections) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {"max_connections = 3"};
  ASSERT_TRUE(start(config));
  std::vector<HttpClient> clients;
  for (int i = 0; i < 3; ++i) {
    clients.emplace_back(listen_port_);
    ASSERT_TRUE(clients.back().connected()) << "client " << i;
    ASSERT_TRUE(has_status(clients.back().round_trip(get_request("/x"), soon()), 200));
  }
  std::this_thread::sleep_for(kParked);
  HttpClient refused = client();
  ASSERT_TRUE(refused.connected());
  IoResult closed = refused.wait_closed(soon());
  EXPECT_NE(closed.status, IoResult::kTimeout) << "a fourth connection was kept";
  EXPECT_EQ(closed.bytes, 0u);

  clients.front().close();
  HttpMessage r;
  for (Deadline d = soon(); Clock::now() < d;) {  // until the proxy has seen the close
    HttpClient next = client();
    r = next.round_trip(get_request("/after"), soon());
    if (has_status(r, 200)) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, described("/after"));
  // The other parked ones were not disturbed.
  HttpMessage again = clients.back().round_trip(get_request("/again"), soon());
  ASSERT_TRUE(has_status(again, 200));
  EXPECT_EQ(again.body, described("/again"));
}

}  // namespace
}  // namespace ringress::test
