// HealthChecker on a reactor of the test's own, against real upstreams on 127.0.0.1: verdicts
// change exactly after the thresholds, each kind of failure is reported with its reason (status,
// refused connect, timeout, body, tcp reply, TLS), and set_targets keeps a host's state by
// address. Every run is bounded; no test asserts how long anything took.
#include "lb/health_checker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "conf/config.h"
#include "core/io_op.h"
#include "core/reactor.h"
#include "core/task_scope.h"
#include "lb/hosts.h"
#include "tests/e2e_tls/child_process.h"
#include "tests/support/http_upstream.h"
#include "tests/support/net.h"
#include "tests/support/tcp_server.h"
#include "tests/support/test_pki.h"
#include "tests/support/test_servers.h"
#include "tests/support/watchdog.h"

namespace ringress::lb {
namespace {

using namespace std::chrono_literals;
using test::HttpUpstream;
using test::UpstreamReply;
using test::UpstreamRequest;

struct Change {
  std::size_t target;
  bool healthy;
  std::string why;
};

UpstreamReply http_reply(int status, const std::string& body = "") {
  UpstreamReply r;
  r.bytes = "HTTP/1.1 " + std::to_string(status) +
            " Whatever\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return r;
}

std::string toml_string(const std::string& s) { return "\"" + s + "\""; }

class HealthCheckerTest : public ::testing::Test {
 protected:
  // A config whose cluster "app" has 127.0.0.1 endpoints on `ports`, `health_check = {
  // <check> }` and `extra` lines.
  void load(const std::vector<uint16_t>& ports, const std::string& check,
            const std::string& extra = "") {
    std::string endpoints;
    for (uint16_t p : ports) endpoints += (endpoints.empty() ? "" : ", ") + toml_string(address(p));
    std::string text =
        "[[listeners]]\nname = \"front\"\naddress = \"127.0.0.1:1\"\ncluster = \"app\"\n"
        "[[clusters]]\nname = \"app\"\nendpoints = [" +
        endpoints + "]\nhealth_check = { " + check + " }\n" + extra;
    config_ = conf::parse_config(text, "health.toml");
    checker_ =
        std::make_unique<HealthChecker>(config_.clusters.at(0), buffers_,
                                        [this](std::size_t i, bool healthy, std::string_view why) {
                                          changes_.push_back({i, healthy, std::string(why)});
                                          if (on_change_) on_change_(changes_.back());
                                        });
    checker_->set_targets(health_targets(hosts_of(config_.clusters.at(0))));
  }
  static std::string address(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }
  static HealthTarget target(uint16_t port) {
    return {*core::SocketAddress::parse_numeric(address(port)), address(port), "127.0.0.1"};
  }

  // Runs the checker until `done()` (asked every 10 ms on the reactor thread) or 20 s; returns
  // whether done() became true. The checker is stopped before this returns.
  bool run_until(std::function<bool()> done) {
    return reactor_.run([](HealthChecker& c, std::function<bool()> done) -> core::Task<bool> {
      core::CancelToken stop;
      core::TaskScope scope;
      scope.spawn(c.run(stop));
      const core::TimePoint end = core::deadline_after(20s);
      bool ok = done();
      while (!ok && core::Clock::now() < end) {
        co_await core::sleep_for(10ms);
        ok = done();
      }
      stop.cancel();
      co_await scope.join();
      co_return ok;
    }(*checker_, std::move(done)));
  }

  test::Watchdog watchdog_{std::chrono::seconds(90), test::kill_all_children_for_watchdog};
  core::Reactor reactor_;
  core::BufferPool buffers_{reactor_, 16384, 64};
  conf::Config config_;
  std::unique_ptr<HealthChecker> checker_;
  std::vector<Change> changes_;
  std::function<void(const Change&)> on_change_;
};

TEST_F(HealthCheckerTest, HttpVerdictChangesAfterTheThresholds) {
  std::atomic<int> status{200};
  std::atomic<int> served_503{0}, served_200{0};
  HttpUpstream up([&](const UpstreamRequest&) {
    int s = status.load();
    ++(s == 503 ? served_503 : served_200);
    return http_reply(s);
  });
  load({up.port()},
       "kind = \"http\", path = \"/healthz\", interval = \"20ms\", interval_jitter = 0, "
       "unhealthy_threshold = 3, healthy_threshold = 2");
  int served_503_at_change = -1, served_200_before = -1, served_200_at_change = -1;
  on_change_ = [&](const Change& c) {
    if (!c.healthy) {
      served_503_at_change = served_503.load();
      served_200_before = served_200.load();
      status = 200;  // the host comes back
    } else {
      served_200_at_change = served_200.load();
    }
  };
  bool failing = false;
  ASSERT_TRUE(run_until([&] {
    if (!failing && up.request_count() >= 3) {
      EXPECT_TRUE(changes_.empty());  // passing checks change nothing
      EXPECT_TRUE(checker_->healthy(0));
      failing = true;
      status = 503;
    }
    return changes_.size() >= 2;
  }));
  ASSERT_EQ(changes_.size(), 2u);
  EXPECT_EQ(changes_[0].target, 0u);
  EXPECT_FALSE(changes_[0].healthy);
  EXPECT_EQ(changes_[0].why, "status 503");
  EXPECT_EQ(served_503_at_change, 3);  // unhealthy_threshold failed checks, not one more
  EXPECT_EQ(changes_[1].target, 0u);
  EXPECT_TRUE(changes_[1].healthy);
  EXPECT_EQ(changes_[1].why, "status 200");
  EXPECT_EQ(served_200_at_change - served_200_before, 2);  // healthy_threshold passes
  EXPECT_TRUE(checker_->healthy(0));
  EXPECT_EQ(checker_->stats().became_unhealthy, 1u);
  EXPECT_EQ(checker_->stats().became_healthy, 1u);
  EXPECT_EQ(checker_->stats().failures, 3u);
  EXPECT_GE(checker_->stats().checks, 8u);

  std::vector<UpstreamRequest> requests = up.requests();
  ASSERT_FALSE(requests.empty());
  const test::HttpMessage& r = requests[0].message;
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/healthz");
  EXPECT_EQ(r.header("Host"), address(up.port()));
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_EQ(r.header("User-Agent"), "ringress-health-check");
  EXPECT_EQ(r.body, "");
  // Every check opens its own connection.
  EXPECT_EQ(requests.back().connection + 1, requests.size());
}

TEST_F(HealthCheckerTest, ConfiguredHostMethodAndStatusRanges) {
  HttpUpstream no_content([](const UpstreamRequest&) { return http_reply(204); });
  HttpUpstream redirect([](const UpstreamRequest&) { return http_reply(302); });
  load({no_content.port(), redirect.port()},
       "kind = \"http\", path = \"/ready?deep=1\", method = \"HEAD\", host = \"svc.internal\", "
       "expected_statuses = [\"200-299\", 401], interval = \"20ms\", unhealthy_threshold = 1");
  ASSERT_TRUE(run_until([&] { return !changes_.empty() && no_content.request_count() >= 3; }));
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].target, 1u);
  EXPECT_FALSE(changes_[0].healthy);
  EXPECT_EQ(changes_[0].why, "status 302");
  EXPECT_TRUE(checker_->healthy(0));
  std::vector<UpstreamRequest> requests = no_content.requests();
  ASSERT_FALSE(requests.empty());
  const test::HttpMessage& r = requests[0].message;
  EXPECT_EQ(r.method, "HEAD");
  EXPECT_EQ(r.target, "/ready?deep=1");
  EXPECT_EQ(r.header("Host"), "svc.internal");
}

TEST_F(HealthCheckerTest, RefusedConnectIsReported) {
  uint16_t closed = test::free_port();
  load({closed}, "kind = \"tcp\", interval = \"20ms\", unhealthy_threshold = 2");
  ASSERT_TRUE(run_until([&] { return !changes_.empty(); }));
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_FALSE(changes_[0].healthy);
  EXPECT_EQ(changes_[0].why, "connect refused");
  EXPECT_EQ(checker_->stats().failures, 2u);
}

TEST_F(HealthCheckerTest, SilentUpstreamTimesOut) {
  HttpUpstream silent([](const UpstreamRequest&) {
    UpstreamReply r;
    r.then = UpstreamReply::Then::stall;
    return r;
  });
  load({silent.port()},
       "kind = \"http\", path = \"/\", timeout = \"100ms\", interval = \"20ms\", "
       "unhealthy_threshold = 2");
  ASSERT_TRUE(run_until([&] { return !changes_.empty(); }));
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_FALSE(changes_[0].healthy);
  EXPECT_EQ(changes_[0].why, "timeout");
  EXPECT_GE(silent.request_count(), 2u);  // it connected and sent; no answer came
  silent.stop();
}

TEST_F(HealthCheckerTest, ExpectedBodyIsLookedForAcrossChunks) {
  HttpUpstream starting([](const UpstreamRequest&) { return http_reply(200, "starting up"); });
  HttpUpstream ready([](const UpstreamRequest&) {
    UpstreamReply r;
    r.bytes =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "6\r\nall re\r\n3\r\nady\r\n0\r\n\r\n";
    return r;
  });
  load({starting.port(), ready.port()},
       "kind = \"http\", path = \"/\", expected_body = \"ready\", interval = \"20ms\", "
       "unhealthy_threshold = 1");
  ASSERT_TRUE(run_until([&] { return !changes_.empty() && ready.request_count() >= 3; }));
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].target, 0u);
  EXPECT_EQ(changes_[0].why, "body did not contain \"ready\"");
  EXPECT_TRUE(checker_->healthy(1));
}

// A tcp upstream: reads as many bytes as `request` has, records them, answers `reply`, closes.
class ReplyServer {
 public:
  ReplyServer(std::string request, std::string reply)
      : expected_(std::move(request)),
        reply_(std::move(reply)),
        server_([this](int fd, const std::atomic<bool>&) {
          std::string got(expected_.size(), '\0');
          test::Deadline d = test::deadline_in(5s);
          if (!test::recv_exact(fd, got.data(), got.size(), d).ok()) return;
          received_.add(got);
          test::send_all(fd, reply_, d);
        }) {}
  uint16_t port() const { return server_.port(); }
  size_t exchanges() const { return received_.size(); }
  std::optional<std::vector<std::string>> received(size_t n) const {
    return received_.wait(n, test::deadline_in(5s));
  }

 private:
  std::string expected_, reply_;
  test::ResultLog<std::string> received_;
  test::TcpServer server_;
};

TEST_F(HealthCheckerTest, TcpSendAndExpect) {
  ReplyServer pong("PING\r\n", "+PONG\r\n");
  ReplyServer error("PING\r\n", "-ERR unknown\r\n");
  load({pong.port(), error.port()},
       "kind = \"tcp\", send = \"PING\\r\\n\", expect = { hex = \"2b504f4e47\" }, "
       "interval = \"20ms\", unhealthy_threshold = 1");
  ASSERT_TRUE(run_until([&] { return !changes_.empty() && pong.exchanges() >= 3; }));
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].target, 1u);
  EXPECT_EQ(changes_[0].why, "reply did not start with \"+PONG\": got \"-ERR \"");
  EXPECT_TRUE(checker_->healthy(0));
  auto got = pong.received(1);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->at(0), "PING\r\n");
}

TEST_F(HealthCheckerTest, TcpReplyCutShortIsReported) {
  ReplyServer short_reply("x", "+PO");
  load({short_reply.port()},
       "kind = \"tcp\", send = \"x\", expect = \"+PONG\", interval = \"20ms\", "
       "unhealthy_threshold = 1");
  ASSERT_TRUE(run_until([&] { return !changes_.empty(); }));
  EXPECT_EQ(changes_.at(0).why, "connection closed after 3 of the 5 expected bytes");
}

TEST_F(HealthCheckerTest, SetTargetsKeepsStateByAddress) {
  std::atomic<int> a_status{503};
  HttpUpstream a([&](const UpstreamRequest&) { return http_reply(a_status.load()); });
  HttpUpstream b([](const UpstreamRequest&) { return http_reply(200); });
  HttpUpstream c([](const UpstreamRequest&) { return http_reply(200); });
  load({a.port(), b.port()},
       "kind = \"http\", path = \"/\", interval = \"20ms\", unhealthy_threshold = 1, "
       "healthy_threshold = 1");
  int phase = 0;
  size_t b_requests_at_removal = 0, c_requests_at_removal = 0;
  ASSERT_TRUE(run_until([&] {
    if (phase == 0 && changes_.size() == 1) {
      // a (target 0) is unhealthy. Reorder and add c: a keeps its verdict at index 2.
      checker_->set_targets({target(c.port()), target(b.port()), target(a.port())});
      EXPECT_EQ(checker_->target_count(), 3u);
      EXPECT_TRUE(checker_->healthy(0));
      EXPECT_TRUE(checker_->healthy(1));
      EXPECT_FALSE(checker_->healthy(2));
      phase = 1;
    } else if (phase == 1 && c.request_count() >= 2) {
      // Drop b; a is now index 1.
      checker_->set_targets({target(c.port()), target(a.port())});
      b_requests_at_removal = b.request_count();
      c_requests_at_removal = c.request_count();
      a_status = 200;
      phase = 2;
    } else if (phase == 2 && changes_.size() == 2 &&
               c.request_count() >= c_requests_at_removal + 5) {
      return true;
    }
    return false;
  }));
  ASSERT_EQ(changes_.size(), 2u);
  EXPECT_EQ(changes_[0].target, 0u);
  EXPECT_FALSE(changes_[0].healthy);
  EXPECT_EQ(changes_[1].target, 1u);  // a's index after the second set_targets
  EXPECT_TRUE(changes_[1].healthy);
  // b was not checked after its removal (one probe may have been on its way).
  EXPECT_LE(b.request_count(), b_requests_at_removal + 1);
}

TEST_F(HealthCheckerTest, ChecksOverTls) {
  const test::TestPki* pki = test::shared_test_pki();
  ASSERT_NE(pki, nullptr);
  const uint16_t port = test::free_port();
  test::ChildProcess server;
  ASSERT_TRUE(test::start_s_server(server, port, pki->localhost));
  // s_server -www answers a GET with a page describing the TLS session, then closes.
  load({port},
       "kind = \"http\", path = \"/\", expected_body = \"Protocol  : TLSv1.3\", "
       "interval = \"20ms\", unhealthy_threshold = 1",
       "tls = { ca = " + toml_string(pki->ca_cert) + ", server_name = \"localhost\" }\n");
  ASSERT_TRUE(run_until([&] { return checker_->stats().checks >= 3 || !changes_.empty(); }));
  EXPECT_TRUE(changes_.empty()) << changes_.at(0).why;
  EXPECT_EQ(checker_->stats().failures, 0u);
}

TEST_F(HealthCheckerTest, TlsVerificationFailureIsReported) {
  const test::TestPki* pki = test::shared_test_pki();
  ASSERT_NE(pki, nullptr);
  const uint16_t port = test::free_port();
  test::ChildProcess server;
  ASSERT_TRUE(test::start_s_server(server, port, pki->localhost));
  load({port}, "kind = \"http\", path = \"/\", interval = \"20ms\", unhealthy_threshold = 1",
       "tls = { ca = " + toml_string(pki->other_ca_cert) + ", server_name = \"localhost\" }\n");
  ASSERT_TRUE(run_until([&] { return !changes_.empty(); }));
  EXPECT_EQ(changes_.at(0).why, "TLS handshake failed: certificate not signed by a trusted CA");
}

}  // namespace
}  // namespace ringress::lb
