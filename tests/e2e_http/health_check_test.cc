// Active health checks end to end (issue 10): two hosts behind an http listener with an http
// health check and retries; one host is killed mid-load. Its verdict changes within one check
// interval (bounded in seconds here), no worker picks it afterwards, no request fails at any
// time, and once it is back it gets traffic again.
//
// Host b is a second ringress (a tcp listener in front of an HttpUpstream), so killing it is a
// real SIGKILL of a process and bringing it back is a restart on the same port. Between the two,
// a listener that never accepts holds b's port: a request that a worker still sent to b would
// wait there in the backlog, so reading that backlog at the end shows every connection made to
// b while it was out (the health checks' only).
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "tests/e2e_http/http_proxy_test.h"
#include "tests/support/proxy_config.h"

namespace ringress::test {
namespace {

// Keeps `clients` kept-alive connections busy with GETs of /load/<n> and records every answer
// that is not a 200 from host a or b.
class Load {
 public:
  Load(uint16_t port, int clients) {
    for (int i = 0; i < clients; ++i) threads_.emplace_back([this, port, i] { run(port, i); });
  }
  ~Load() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  std::map<std::string, size_t> bodies() const {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::vector<std::string> failures() const {
    std::lock_guard lock(mu_);
    return failures_;
  }

 private:
  void run(uint16_t port, int id) {
    HttpClient client(port);
    for (size_t n = 0; !stop_; ++n) {
      if (!client.connected()) client = HttpClient(port);
      const std::string target = "/load/" + std::to_string(id) + "/" + std::to_string(n);
      HttpMessage r = client.round_trip(get_request(target), soon());
      std::lock_guard lock(mu_);
      if (r.ok() && r.status == 200 && (r.body == "a" || r.body == "b")) {
        ++bodies_[r.body];
        continue;
      }
      if (failures_.size() < 10) failures_.push_back(target + ": " + r.describe());
      client.close();
    }
  }

  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::map<std::string, size_t> bodies_;
  std::vector<std::string> failures_;
  std::vector<std::thread> threads_;
};

// Requests for /load/... that an upstream received.
size_t load_requests(const HttpUpstream& upstream) {
  size_t n = 0;
  for (const UpstreamRequest& r : upstream.requests()) n += r.message.target.starts_with("/load/");
  return n;
}

// The first bytes of every connection waiting in `listener`'s backlog.
std::vector<std::string> backlog_requests(int listener) {
  ::fcntl(listener, F_SETFL, ::fcntl(listener, F_GETFL) | O_NONBLOCK);
  std::vector<std::string> out;
  for (;;) {
    Fd c(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    if (!c.valid()) break;
    char buf[64];
    IoResult r = recv_some(c.get(), buf, sizeof buf, deadline_in(milliseconds(200)));
    out.emplace_back(buf, r.ok() ? r.bytes : 0);
  }
  return out;
}

class HealthCheckTest : public HttpProxyTest {
 protected:
  // Polls the front proxy's log until it holds `text`; false at the deadline.
  bool wait_for_log(const std::string& text, Deadline deadline) {
    while (proxy_.log().find(text) == std::string::npos) {
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return true;
  }
  // Host b: a ringress whose tcp listener on `port` forwards to `upstream`.
  ::testing::AssertionResult start_b(ProxyProcess& b, uint16_t port, uint16_t upstream) {
    ProxyConfig config;
    config.listen_port = port;
    config.endpoints = {{upstream}};
    return b.start(config.toml(), port);
  }
};

UpstreamReply named(const std::string& name) {
  UpstreamReply r;
  r.bytes = ok_response(name);
  return r;
}

TEST_F(HealthCheckTest, KilledHostIsOutWithinAnIntervalAndComesBack) {
  HttpUpstream a([](const UpstreamRequest&) { return named("a"); });
  HttpUpstream b_upstream([](const UpstreamRequest&) { return named("b"); });
  const uint16_t b_port = free_port();
  auto b = std::make_unique<ProxyProcess>();
  ASSERT_TRUE(start_b(*b, b_port, b_upstream.port()));

  HttpProxyConfig config =
      config_for(a.port(), R"(retry = { on = ["connect-failure", "reset"], attempts = 2, )"
                           R"(budget = { percent = 100, min_concurrency = 100 } })");
  config.workers = 2;
  config.clusters[0].ports.push_back(b_port);
  // Every request that meets dead b retries on a; the default max_retries (3 per worker) could
  // refuse a retry when three clients' requests meet b at once on one worker
  // (docs/configuration.md, circuit breakers).
  config.clusters[0].keys.push_back("circuit_breakers = { max_retries = 64 }");
  config.clusters[0].keys.push_back(
      R"(health_check = { kind = "http", path = "/healthz", interval = "500ms", )"
      R"(timeout = "250ms", unhealthy_threshold = 1, healthy_threshold = 2 })");
  ASSERT_TRUE(start(config));
  const std::string b_host = "host 127.0.0.1:" + std::to_string(b_port);

  Load load(listen_port_, 3);
  // Both hosts serve (round robin) and b is checked: wait for both, however the first probe and
  // the load interleave.
  auto health_checks_of_b = [&] { return b_upstream.request_count() - load_requests(b_upstream); };
  Deadline by = deadline_in(stretched(seconds(5)));
  while (Clock::now() < by &&
         (load_requests(b_upstream) < 20 || load_requests(a) < 20 || health_checks_of_b() < 1))
    std::this_thread::sleep_for(milliseconds(10));
  ASSERT_GE(load_requests(b_upstream), 20u);
  ASSERT_GE(load_requests(a), 20u);
  ASSERT_GE(health_checks_of_b(), 1u);

  // Kill b mid-load. Within an interval (500 ms, plus jitter and one timeout) it is unhealthy.
  ASSERT_TRUE(b->signal(SIGKILL));
  ASSERT_TRUE(b->wait_exit(stretched(seconds(5))).has_value());
  ASSERT_TRUE(wait_for_log(b_host + " (127.0.0.1:" + std::to_string(b_port) + ") is unhealthy",
                           deadline_in(stretched(seconds(3)))))
      << proxy_.log();
  // The workers take the new snapshot between requests: once they have served more requests
  // (progress, not a time), none still picks b.
  const size_t a_at_verdict = load_requests(a);
  by = deadline_in(stretched(seconds(5)));
  while (Clock::now() < by && load_requests(a) < a_at_verdict + 30)
    std::this_thread::sleep_for(milliseconds(10));
  ASSERT_GE(load_requests(a), a_at_verdict + 30);

  // From now on no worker picks b: hold its port with a listener that never accepts.
  Fd held = listen_tcp(b_port, 64);
  ASSERT_TRUE(held.valid()) << "port " << b_port << ": " << std::strerror(errno);
  const size_t a_before = load_requests(a);
  by = deadline_in(stretched(seconds(5)));
  while (Clock::now() < by && load_requests(a) < a_before + 100)
    std::this_thread::sleep_for(milliseconds(10));
  ASSERT_GE(load_requests(a), a_before + 100);
  for (const std::string& first_bytes : backlog_requests(held.get()))
    EXPECT_TRUE(first_bytes.starts_with("GET /healthz HTTP/1.1\r\n")) << first_bytes;
  held.reset();

  // b comes back: after healthy_threshold passed checks it gets traffic again.
  const size_t b_before = load_requests(b_upstream);
  b = std::make_unique<ProxyProcess>();
  ASSERT_TRUE(start_b(*b, b_port, b_upstream.port()));
  ASSERT_TRUE(wait_for_log(b_host + " (127.0.0.1:" + std::to_string(b_port) + ") is healthy",
                           deadline_in(stretched(seconds(5)))))
      << proxy_.log();
  by = deadline_in(stretched(seconds(5)));
  while (Clock::now() < by && load_requests(b_upstream) < b_before + 20)
    std::this_thread::sleep_for(milliseconds(10));
  EXPECT_GE(load_requests(b_upstream), b_before + 20);

  load.stop();
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(5))));
  // No request failed: while b was dying, retries took its requests to a.
  EXPECT_TRUE(load.failures().empty()) << load.failures().front();
  EXPECT_GT(load.bodies()["a"], 0u);
  EXPECT_GT(load.bodies()["b"], 0u);
}

}  // namespace
}  // namespace ringress::test
