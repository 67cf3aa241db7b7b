// Clusters end to end (issue 10): lb_policy picks, ring_hash stickiness by a header, backup
// takeover and the primary's return, 503 UH with no healthy host, retries on another host,
// circuit breakers (503 UO), the retry budget, upstream 502/503/504 as gateway failures for
// outlier detection, and the clusters' counters at exit. Real upstreams on 127.0.0.1; health
// verdicts come from real tcp health checks against closed ports or a killed process.
#include <signal.h>

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "tests/e2e_http/http_proxy_test.h"
#include "tests/support/log_file.h"
#include "tests/support/proxy_config.h"
#include "tests/support/tcp_server.h"
#include "tests/support/temp_dir.h"

namespace ringress::test {
namespace {

class ClusterTest : public HttpProxyTest {
 protected:
  // Cluster "backend" = 127.0.0.1:a and :b, with `cluster_key` (if any) and the route's keys.
  HttpProxyConfig two_hosts(uint16_t a, uint16_t b, const std::string& cluster_key,
                            const std::string& route_keys = "") const {
    HttpProxyConfig config = config_for(a, route_keys);
    config.clusters[0].ports.push_back(b);
    if (!cluster_key.empty()) config.clusters[0].keys.push_back(cluster_key);
    return config;
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// An upstream that answers 200 with its name as the body.
UpstreamReply named(const std::string& name) {
  UpstreamReply r;
  r.bytes = ok_response(name);
  return r;
}

// A tcp health check that marks a closed port unhealthy after one failed probe.
const std::string kFastTcpCheck =
    R"(health_check = { kind = "tcp", interval = "100ms", timeout = "100ms", )"
    R"(unhealthy_threshold = 1, healthy_threshold = 1 })";

// The config's endpoint 127.0.0.1:`port` as a backup endpoint.
std::string with_backup(std::string toml, uint16_t port) {
  const std::string plain = "\"127.0.0.1:" + std::to_string(port) + "\"";
  const std::size_t at = toml.find(plain);
  if (at != std::string::npos)
    toml.replace(at, plain.size(), "{ address = " + plain + ", backup = true }");
  return toml;
}

class Session {
 public:
  explicit Session(uint16_t port) : client_(port) {}
  HttpMessage get(const std::string& path,
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.insert(headers.begin(), {"Host", "test.local"});
    return client_.round_trip(request_bytes("GET", path, headers), soon());
  }
  bool connected() const { return client_.connected(); }

 private:
  HttpClient client_;
};

// Bodies of `n` GETs on one connection, counted.
std::map<std::string, int> spread(uint16_t port, int n) {
  Session s(port);
  std::map<std::string, int> seen;
  for (int i = 0; i < n; ++i) ++seen[s.get("/").body];
  return seen;
}

TEST_F(ClusterTest, RoundRobinAlternates) {
  HttpUpstream a([](const UpstreamRequest&) { return named("a"); });
  HttpUpstream b([](const UpstreamRequest&) { return named("b"); });
  ASSERT_TRUE(start(two_hosts(a.port(), b.port(), R"(lb_policy = "round_robin")")));
  auto seen = spread(listen_port_, 10);
  EXPECT_EQ(seen["a"], 5);
  EXPECT_EQ(seen["b"], 5);
}

TEST_F(ClusterTest, LeastRequestAndRandomUseBothHosts) {
  for (const char* policy : {"least_request", "random"}) {
    SCOPED_TRACE(policy);
    HttpUpstream a([](const UpstreamRequest&) { return named("a"); });
    HttpUpstream b([](const UpstreamRequest&) { return named("b"); });
    ProxyProcess proxy;
    HttpProxyConfig config =
        two_hosts(a.port(), b.port(), std::string("lb_policy = \"") + policy + "\"");
    ASSERT_TRUE(proxy.start(config.toml(), listen_port_));
    auto seen = spread(listen_port_, 60);
    EXPECT_EQ(seen["a"] + seen["b"], 60);
    EXPECT_GT(seen["a"], 0);
    EXPECT_GT(seen["b"], 0);
    ASSERT_TRUE(proxy.terminate(stretched(seconds(5))));
  }
}

TEST_F(ClusterTest, RingHashKeepsAHeaderOnOneHost) {
  HttpUpstream a([](const UpstreamRequest&) { return named("a"); });
  HttpUpstream b([](const UpstreamRequest&) { return named("b"); });
  ASSERT_TRUE(start(two_hosts(a.port(), b.port(), R"(lb_policy = "ring_hash")",
                              R"(hash_policy = [{ header = "X-User" }])")));
  Session s(listen_port_);
  std::map<std::string, int> users_per_host;
  for (int user = 0; user < 20; ++user) {
    const std::string id = "user-" + std::to_string(user);
    const std::string first = s.get("/", {{"X-User", id}}).body;
    ASSERT_TRUE(first == "a" || first == "b") << first;
    ++users_per_host[first];
    for (int again = 0; again < 4; ++again)
      EXPECT_EQ(s.get("/", {{"X-User", id}}).body, first) << id;
  }
  // Twenty keys on two equal hosts: both get some.
  EXPECT_GT(users_per_host["a"], 0);
  EXPECT_GT(users_per_host["b"], 0);
}

TEST_F(ClusterTest, BackupTakesOverWhenThePrimaryIsDown) {
  HttpUpstream backup([](const UpstreamRequest&) { return named("backup"); });
  const uint16_t dead = free_port();  // nothing listens: the health check fails
  HttpProxyConfig config = two_hosts(dead, backup.port(), kFastTcpCheck);
  ASSERT_TRUE(proxy_.start(with_backup(config.toml(), backup.port()), listen_port_));
  Session s(listen_port_);
  // Within a few intervals the primary is out and every request goes to the backup.
  const Deadline by = deadline_in(stretched(seconds(5)));
  while (Clock::now() < by && s.get("/").body != "backup")
    std::this_thread::sleep_for(milliseconds(50));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(s.get("/").body, "backup");
}

// The body of one GET on a new connection ("" if no response came).
std::string body_of_one_get(uint16_t port) { return Session(port).get("/").body; }

TEST_F(ClusterTest, PrimaryTakesBackItsTrafficFromTheBackupOnceHealthyAgain) {
  // The primary is a second ringress (a tcp listener in front of an HttpUpstream) on a port of
  // its own, so it can be killed and brought back on that port.
  HttpUpstream primary_upstream([](const UpstreamRequest&) { return named("primary"); });
  HttpUpstream backup([](const UpstreamRequest&) { return named("backup"); });
  const uint16_t primary_port = free_port();
  ProxyConfig primary_config;
  primary_config.listen_port = primary_port;
  primary_config.endpoints = {{primary_upstream.port()}};
  auto primary = std::make_unique<ProxyProcess>();
  ASSERT_TRUE(primary->start(primary_config.toml(), primary_port));

  HttpProxyConfig config = two_hosts(primary_port, backup.port(), kFastTcpCheck);
  ASSERT_TRUE(proxy_.start(with_backup(config.toml(), backup.port()), listen_port_));
  const std::string primary_host = "host 127.0.0.1:" + std::to_string(primary_port) +
                                   " (127.0.0.1:" + std::to_string(primary_port) + ")";
  for (int i = 0; i < 5; ++i) EXPECT_EQ(body_of_one_get(listen_port_), "primary");
  EXPECT_EQ(backup.request_count(), 0u);

  // The primary dies: its health check fails and the backup takes every request.
  ASSERT_TRUE(primary->signal(SIGKILL));
  ASSERT_TRUE(primary->wait_exit(stretched(seconds(5))).has_value());
  Deadline by = deadline_in(stretched(seconds(5)));
  while (Clock::now() < by && body_of_one_get(listen_port_) != "backup")
    std::this_thread::sleep_for(milliseconds(20));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(body_of_one_get(listen_port_), "backup");
  EXPECT_NE(proxy_.log().find(primary_host + " is unhealthy"), std::string::npos) << proxy_.log();

  // It comes back: once a check passes, the primary gets the traffic and the backup none.
  primary = std::make_unique<ProxyProcess>();
  ASSERT_TRUE(primary->start(primary_config.toml(), primary_port));
  by = deadline_in(stretched(seconds(5)));
  while (Clock::now() < by && body_of_one_get(listen_port_) != "primary")
    std::this_thread::sleep_for(milliseconds(20));
  // One worker, requests one after another: every later request starts on a snapshot at least
  // as new as the one that sent the last to the primary.
  const size_t backup_requests = backup.request_count();
  const size_t primary_requests = primary_upstream.request_count();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(body_of_one_get(listen_port_), "primary");
  EXPECT_EQ(backup.request_count(), backup_requests);
  EXPECT_EQ(primary_upstream.request_count(), primary_requests + 20);
  EXPECT_NE(proxy_.log().find(primary_host + " is healthy"), std::string::npos) << proxy_.log();
}

TEST_F(ClusterTest, BackupGetsNothingWhilePrimariesAreUp) {
  HttpUpstream primary([](const UpstreamRequest&) { return named("primary"); });
  HttpUpstream backup([](const UpstreamRequest&) { return named("backup"); });
  HttpProxyConfig config = two_hosts(primary.port(), backup.port(), "");
  ASSERT_TRUE(proxy_.start(with_backup(config.toml(), backup.port()), listen_port_));
  auto seen = spread(listen_port_, 10);
  EXPECT_EQ(seen["primary"], 10);
  EXPECT_EQ(backup.request_count(), 0u);
}

TEST_F(ClusterTest, NoHealthyHostGets503UH) {
  TempDir dir;
  const std::string log_path = dir.path() + "/access.log";
  HttpProxyConfig config = two_hosts(free_port(), free_port(), kFastTcpCheck);
  config.listener_keys = {R"(filters = ["access_log", "router"])",
                          "access_log = { path = " + toml_string(log_path) +
                              R"(, format = "%STATUS% %RESPONSE_FLAGS%" })"};
  ASSERT_TRUE(start(config));
  Session s(listen_port_);
  HttpMessage r;
  const Deadline by = deadline_in(stretched(seconds(5)));
  do {
    r = s.get("/");
  } while (r.body != "no healthy upstream\n" && Clock::now() < by);
  ASSERT_TRUE(is_local_reply(r, 503));
  EXPECT_EQ(r.body, "no healthy upstream\n");
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(5))));
  std::vector<std::string> lines = lines_of(read_text_file(log_path));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "503 UH");
  EXPECT_NE(proxy_.log().find("no healthy upstream"), std::string::npos) << proxy_.log();
}

TEST_F(ClusterTest, ARetryGoesToAnotherHost) {
  HttpUpstream failing([](const UpstreamRequest&) {
    UpstreamReply r;
    r.bytes = response_bytes(503, "Unavailable", {}, "busy");
    return r;
  });
  HttpUpstream good([](const UpstreamRequest&) { return named("good"); });
  ASSERT_TRUE(start(
      two_hosts(failing.port(), good.port(), "", R"(retry = { on = ["5xx"], attempts = 1 })")));
  Session s(listen_port_);
  for (int i = 0; i < 10; ++i) {
    HttpMessage r = s.get("/");
    ASSERT_TRUE(has_status(r, 200));
    EXPECT_EQ(r.body, "good");
  }
  // Each request went to the failing host at most once, and every one ended on the good one.
  EXPECT_EQ(good.request_count(), 10u);
  EXPECT_LE(failing.request_count(), 10u);
}

// A request the upstream holds for a while.
UpstreamReply slow(const UpstreamRequest&) {
  UpstreamReply r;
  r.delay = milliseconds(800);
  r.bytes = ok_response("slow");
  return r;
}

// Starts a request that the upstream holds, and returns its client.
std::unique_ptr<HttpClient> start_slow_request(uint16_t port) {
  auto c = std::make_unique<HttpClient>(port);
  if (!c->connected() || !c->send(get_request("/slow"), soon()).ok()) return nullptr;
  return c;
}

TEST_F(ClusterTest, MaxRequestsTripsWith503UO) {
  HttpUpstream upstream(slow);
  HttpProxyConfig config = config_for(upstream.port());
  config.clusters[0].keys.push_back("circuit_breakers = { max_requests = 1 }");
  ASSERT_TRUE(start(config));
  auto held = start_slow_request(listen_port_);
  ASSERT_TRUE(held);
  ASSERT_TRUE(upstream.wait_requests(1, soon()));
  HttpMessage r = Session(listen_port_).get("/");
  ASSERT_TRUE(is_local_reply(r, 503));
  EXPECT_NE(r.body.find("max_requests"), std::string::npos) << r.body;
  EXPECT_TRUE(has_status(held->read_response(soon()), 200));
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(5))));
  EXPECT_NE(proxy_.log().find("1 max_requests"), std::string::npos) << proxy_.log();
}

TEST_F(ClusterTest, MaxConnectionsTripsWith503UO) {
  HttpUpstream upstream(slow);
  HttpProxyConfig config = config_for(upstream.port());
  config.clusters[0].keys.push_back("circuit_breakers = { max_connections = 1 }");
  ASSERT_TRUE(start(config));
  auto held = start_slow_request(listen_port_);
  ASSERT_TRUE(held);
  ASSERT_TRUE(upstream.wait_requests(1, soon()));
  HttpMessage r = Session(listen_port_).get("/");
  ASSERT_TRUE(is_local_reply(r, 503));
  EXPECT_NE(r.body.find("max_connections"), std::string::npos) << r.body;
  EXPECT_TRUE(has_status(held->read_response(soon()), 200));
  // Once the first is done its connection is idle in the pool, and the next request reuses it.
  EXPECT_TRUE(has_status(Session(listen_port_).get("/"), 200));
  EXPECT_EQ(upstream.accepted(), 1u);
}

TEST_F(ClusterTest, MaxPendingRequestsTripsWith503UO) {
  // Takes TCP connections and never answers the TLS ClientHello: a connect stays pending.
  TcpServer silent([](int, const std::atomic<bool>& stopping) {
    while (!stopping) std::this_thread::sleep_for(milliseconds(10));
  });
  HttpProxyConfig config = config_for(silent.port());
  config.clusters[0].keys = {"circuit_breakers = { max_pending_requests = 1 }",
                             R"(connect_timeout = "3s")", "tls = { verify = false }"};
  ASSERT_TRUE(start(config));
  auto held = start_slow_request(listen_port_);
  ASSERT_TRUE(held);
  ASSERT_TRUE(silent.wait_accepted(1, soon()));
  HttpMessage r = Session(listen_port_).get("/");
  ASSERT_TRUE(is_local_reply(r, 503));
  EXPECT_NE(r.body.find("max_pending_requests"), std::string::npos) << r.body;
}

UpstreamReply unavailable(const UpstreamRequest&) {
  UpstreamReply r;
  r.bytes = response_bytes(503, "Unavailable", {}, "down");
  return r;
}

TEST_F(ClusterTest, MaxRetriesZeroForbidsRetries) {
  HttpUpstream a(unavailable);
  HttpUpstream b(unavailable);
  HttpProxyConfig config = two_hosts(a.port(), b.port(), "circuit_breakers = { max_retries = 0 }",
                                     R"(retry = { on = ["5xx"], attempts = 3 })");
  ASSERT_TRUE(start(config));
  HttpMessage r = Session(listen_port_).get("/");
  ASSERT_TRUE(has_status(r, 503));
  EXPECT_EQ(r.body, "down");  // the upstream's own answer: no retry was made
  EXPECT_EQ(a.request_count() + b.request_count(), 1u);
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(5))));
  EXPECT_NE(proxy_.log().find("1 max_retries"), std::string::npos) << proxy_.log();
}

TEST_F(ClusterTest, RetryBudgetLimitsRetries) {
  HttpUpstream a(unavailable);
  HttpUpstream b(unavailable);
  // No retry is ever within a budget of 0% with no minimum.
  HttpProxyConfig config = two_hosts(
      a.port(), b.port(), "",
      R"(retry = { on = ["5xx"], attempts = 3, budget = { percent = 0, min_concurrency = 0 } })");
  ASSERT_TRUE(start(config));
  Session s(listen_port_);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(has_status(s.get("/"), 503));
  EXPECT_EQ(a.request_count() + b.request_count(), 4u);
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(5))));
  EXPECT_NE(proxy_.log().find("4 retries over budget"), std::string::npos) << proxy_.log();
}

TEST_F(ClusterTest, PerTryTimeoutMovesARetryToAnotherHost) {
  HttpUpstream stalled([](const UpstreamRequest&) {
    UpstreamReply r;
    r.then = UpstreamReply::Then::stall;
    return r;
  });
  HttpUpstream good([](const UpstreamRequest&) { return named("good"); });
  ASSERT_TRUE(start(two_hosts(
      stalled.port(), good.port(), "",
      R"(timeout = "20s", retry = { on = ["gateway-error"], attempts = 1, per_try_timeout = "200ms" })")));
  Session s(listen_port_);
  for (int i = 0; i < 4; ++i) {
    HttpMessage r = s.get("/");
    ASSERT_TRUE(has_status(r, 200));
    EXPECT_EQ(r.body, "good");
  }
  EXPECT_EQ(good.request_count(), 4u);
  const std::size_t timed_out = stalled.request_count();
  EXPECT_GE(timed_out, 1u);  // round robin starts half of them on the stalled host
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(5))));
  EXPECT_NE(proxy_.log().find(std::to_string(timed_out) + " per-try timeouts"), std::string::npos)
      << proxy_.log();
}

TEST_F(ClusterTest, RetriesWithinTheDefaultBudgetAreMade) {
  HttpUpstream a(unavailable);
  HttpUpstream b(unavailable);
  ASSERT_TRUE(
      start(two_hosts(a.port(), b.port(), "", R"(retry = { on = ["5xx"], attempts = 1 })")));
  EXPECT_TRUE(has_status(Session(listen_port_).get("/"), 503));
  // The retry went to the other host.
  EXPECT_EQ(a.request_count(), 1u);
  EXPECT_EQ(b.request_count(), 1u);
}

TEST_F(ClusterTest, Upstream503sAreGatewayFailuresForOutlierDetection) {
  HttpUpstream good([](const UpstreamRequest&) { return named("good"); });
  HttpUpstream busy(unavailable);
  // Only the gateway-failure rule: plain 5xx never eject here.
  ASSERT_TRUE(start(
      two_hosts(good.port(), busy.port(),
                R"(outlier_detection = { consecutive_5xx = 0, consecutive_gateway_failure = 2, )"
                R"(base_ejection_time = "30s", max_ejection_percent = 50 })")));
  Session s(listen_port_);
  for (int i = 0; i < 4; ++i) s.get("/");  // round robin: two 503s from busy
  ASSERT_EQ(busy.request_count(), 2u);
  const std::string ejected = "cluster backend: host 127.0.0.1:" + std::to_string(busy.port()) +
                              " ejected for 30000 ms: 2 consecutive gateway failures";
  Deadline by = deadline_in(stretched(seconds(5)));
  while (Clock::now() < by && proxy_.log().find(ejected) == std::string::npos)
    std::this_thread::sleep_for(milliseconds(20));
  ASSERT_NE(proxy_.log().find(ejected), std::string::npos) << proxy_.log();
  // The worker takes the new snapshot between requests: the second request from now is on it.
  s.get("/");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(s.get("/").body, "good");
}

// The line of `log` that starts with `prefix` ("" if none).
std::string line_starting(const std::string& log, const std::string& prefix) {
  for (const std::string& line : lines_of(log)) {
    const std::size_t at = line.find(prefix);
    if (at != std::string::npos) return line.substr(at);
  }
  return "";
}

TEST_F(ClusterTest, ExitSummaryCountsOutliersHealthChecksUHAndUO) {
  HttpUpstream good([](const UpstreamRequest&) { return named("good"); });
  HttpUpstream failing([](const UpstreamRequest&) {
    UpstreamReply r;
    r.bytes = response_bytes(500, "Internal Server Error", {}, "bad");
    return r;
  });
  HttpUpstream held(slow);
  HttpProxyConfig config =
      two_hosts(good.port(), failing.port(),
                R"(outlier_detection = { consecutive_5xx = 2, base_ejection_time = "30s", )"
                R"(max_ejection_percent = 50 })");
  config.virtual_hosts[0].routes = {R"({ prefix = "/none", cluster = "none" })",
                                    R"({ prefix = "/limited", cluster = "limited" })",
                                    R"({ prefix = "/", cluster = "backend" })"};
  config.clusters.push_back({"none", {free_port()}, {kFastTcpCheck}});
  config.clusters.push_back(
      {"limited", {held.port()}, {"circuit_breakers = { max_requests = 1 }"}});
  ASSERT_TRUE(start(config));

  // backend: two 500s from `failing` eject it.
  Session s(listen_port_);
  for (int i = 0; i < 4; ++i) s.get("/");
  ASSERT_EQ(failing.request_count(), 2u);
  const std::string ejected = "host 127.0.0.1:" + std::to_string(failing.port()) + " ejected";
  Deadline by = deadline_in(stretched(seconds(5)));
  while (Clock::now() < by && proxy_.log().find(ejected) == std::string::npos)
    std::this_thread::sleep_for(milliseconds(20));
  ASSERT_NE(proxy_.log().find(ejected), std::string::npos) << proxy_.log();

  // none: its only host fails its check; the first reply after that is the one 503 UH.
  HttpMessage r;
  by = deadline_in(stretched(seconds(5)));
  do {
    r = s.get("/none");
  } while (r.body != "no healthy upstream\n" && Clock::now() < by);
  ASSERT_EQ(r.body, "no healthy upstream\n");

  // limited: a second request while the first is held is the one 503 UO.
  HttpClient holder(listen_port_);
  ASSERT_TRUE(holder.send(get_request("/limited/1"), soon()).ok());
  ASSERT_TRUE(held.wait_requests(1, soon()));
  HttpMessage over = Session(listen_port_).get("/limited/2");
  ASSERT_TRUE(is_local_reply(over, 503));
  EXPECT_TRUE(has_status(holder.read_response(soon()), 200));

  ASSERT_TRUE(proxy_.terminate(stretched(seconds(5))));
  const std::string log = proxy_.log();
  const std::string http = line_starting(log, "http: ");
  ASSERT_FALSE(http.empty()) << log;
  EXPECT_EQ(count_before(http, "no healthy upstream (UH)"), 1u) << http;
  EXPECT_EQ(count_before(http, "over circuit breakers (UO)"), 1u) << http;
  EXPECT_NE(line_starting(log, "cluster backend: outlier detection: ")
                .find("1 ejections (1 consecutive 5xx, 0 consecutive gateway failures, 0 success "
                      "rate), 0 returns, 0 refused by max_ejection_percent; 0 stale outcome "
                      "reports dropped"),
            std::string::npos)
      << log;
  const std::string checks = line_starting(log, "cluster none: health checks: ");
  ASSERT_FALSE(checks.empty()) << log;
  EXPECT_EQ(count_before(checks, "turned unhealthy"), 1u) << checks;
  EXPECT_EQ(count_before(checks, "turned healthy"), 0u) << checks;
  EXPECT_GE(count_before(checks, "failed probes").value_or(0), 1u) << checks;
  EXPECT_GE(count_before(checks, "probes,").value_or(0),
            count_before(checks, "failed probes").value_or(0))
      << checks;
  // Clusters without health checks or outlier detection print neither line.
  EXPECT_EQ(log.find("cluster limited: health checks"), std::string::npos) << log;
  EXPECT_EQ(log.find("cluster limited: outlier detection"), std::string::npos) << log;
}

}  // namespace
}  // namespace ringress::test
