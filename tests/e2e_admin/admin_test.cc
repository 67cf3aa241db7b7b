// The admin endpoint ([admin], docs/operations.md) of the real binary: each endpoint's status
// and key lines, /stats against the access log and what the client sent, /ready during a drain
// started by POST /drain, /logging changing the level, /config redacting keys, and the [admin]
// table's checks.
#include <signal.h>

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e_http/http_proxy_test.h"
#include "tests/support/log_file.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace ringress::test {
namespace {

class AdminTest : public HttpProxyTest {
 protected:
  AdminTest() : admin_port_(free_port()) {}

  // `/api` goes to the upstream at `upstream_port`; anything else has no route (404).
  HttpProxyConfig api_config(uint16_t upstream_port) const {
    HttpProxyConfig config;
    config.listen_port = listen_port_;
    config.virtual_hosts.push_back({"all", {"*"}, {R"({ prefix = "/api", cluster = "backend" })"}});
    config.clusters.push_back({"backend", {upstream_port}, {}});
    return config;
  }
  std::string admin_toml() const {
    return "\n[admin]\naddress = \"127.0.0.1:" + std::to_string(admin_port_) + "\"\n";
  }
  ::testing::AssertionResult start_with_admin(const HttpProxyConfig& config) {
    ::testing::AssertionResult ok = proxy_.start(config.toml() + admin_toml(), listen_port_);
    if (!ok) return ok;
    const Deadline by = soon();
    while (!port_is_listening(admin_port_) && Clock::now() < by)
      std::this_thread::sleep_for(milliseconds(10));
    if (!port_is_listening(admin_port_))
      return ::testing::AssertionFailure() << "admin port not listening";
    return ::testing::AssertionSuccess();
  }
  HttpMessage admin(std::string_view method, std::string_view target) const {
    HttpClient c(admin_port_);
    if (!c.connected()) return HttpMessage{};
    ResponseReadOptions options;
    options.head_request = method == "HEAD";
    return c.round_trip(request_bytes(method, target, {{"Host", "admin"}}), soon(), options);
  }
  // The value of the sample line `sample` ("ringress_downstream_rq_total") in /stats, or -1.
  static long long sample(const std::string& stats, const std::string& name) {
    const std::string key = "\n" + name + " ";
    std::size_t at = stats.find(key);
    if (at == std::string::npos) return -1;
    return std::stoll(stats.substr(at + key.size()));
  }

  const uint16_t admin_port_;
};

UpstreamReply ok_reply(const UpstreamRequest&) {
  UpstreamReply r;
  r.bytes = ok_response("fine\n");
  return r;
}

TEST_F(AdminTest, EndpointsAnswerWithTheirStatusAndKeyLines) {
  HttpUpstream upstream(ok_reply);
  ASSERT_TRUE(start_with_admin(api_config(upstream.port())));

  HttpMessage r = admin("GET", "/ready");
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "ready\n");
  EXPECT_EQ(r.header("connection"), "close");

  r = admin("GET", "/stats");
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  for (const char* line :
       {"# TYPE ringress_downstream_rq_total counter\nringress_downstream_rq_total 0\n",
        "# TYPE ringress_downstream_cx_active gauge\n",
        "ringress_listener_downstream_cx_overflow{listener=\"http-in\"} 0\n",
        "ringress_cluster_upstream_cx_active{cluster=\"backend\"} 0\n",
        "# TYPE ringress_buffer_pool_capacity gauge\nringress_buffer_pool_capacity 1024\n",
        "# TYPE ringress_downstream_rq_time_seconds histogram\n",
        "ringress_downstream_rq_time_seconds_bucket{le=\"0.0001\"} 0\n",
        "ringress_downstream_rq_time_seconds_bucket{le=\"+Inf\"} 0\n",
        "ringress_upstream_cx_connect_time_seconds_count 0\n", "ringress_server_workers 1\n"})
    EXPECT_NE(r.body.find(line), std::string::npos) << line << "\n" << r.body;

  r = admin("GET", "/stats?format=json");
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_NE(r.body.find("\"downstream_rq_total\": 0"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"cluster.backend.upstream_cx_active\": 0"), std::string::npos);
  EXPECT_NE(r.body.find("\"downstream_rq_time\": {\"count\": 0, \"sum_ms\": 0, \"p50\": 0, "
                        "\"p90\": 0, \"p99\": 0, \"p999\": 0"),
            std::string::npos)
      << r.body;
  EXPECT_TRUE(has_status(admin("GET", "/stats?format=xml"), 400));

  r = admin("GET", "/clusters");
  ASSERT_TRUE(has_status(r, 200));
  const std::string host = "backend::127.0.0.1:" + std::to_string(upstream.port()) + "::";
  for (const std::string& line :
       {host + "weight::1\n", host + "priority::0\n", host + "healthy::true\n",
        host + "ejected::false\n", host + "rq_active::0\n", host + "cx_active::0\n",
        host + "cx_idle::0\n", std::string("backend::cx_active::0\n")})
    EXPECT_NE(r.body.find(line), std::string::npos) << line << "\n" << r.body;
  r = admin("GET", "/clusters?format=json");
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_NE(r.body.find("\"healthy\": true, \"ejected\": false"), std::string::npos) << r.body;

  r = admin("GET", "/server_info");
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_NE(r.body.find("\"config_generation\": 1, \"workers\": 1, \"state\": \"live\""),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("\"version\": \""), std::string::npos);

  r = admin("GET", "/nothing-here");
  EXPECT_TRUE(is_local_reply(r, 404));
  r = admin("POST", "/stats");
  ASSERT_TRUE(has_status(r, 405));
  EXPECT_EQ(r.header("allow"), "GET, HEAD");
  r = admin("GET", "/drain");
  ASSERT_TRUE(has_status(r, 405));
  EXPECT_EQ(r.header("allow"), "POST");
  r = admin("HEAD", "/ready");
  ASSERT_TRUE(has_status(r, 200));
}

TEST_F(AdminTest, StatsAgreeWithTheAccessLogAndTheClient) {
  TempDir dir;
  const std::string log_path = dir.path() + "/access.log";
  HttpUpstream upstream(ok_reply);
  HttpProxyConfig config = api_config(upstream.port());
  config.listener_keys = {R"(filters = ["access_log", "router"])",
                          "access_log = { path = " + toml_string(log_path) +
                              R"(, format = "%STATUS% %RESPONSE_FLAGS%" })"};
  ASSERT_TRUE(start_with_admin(config));

  // 3 connections; per connection 5 proxied and 3 unrouted requests: 15 x 200, 9 x 404.
  constexpr int kConnections = 3, kProxied = 5, kUnrouted = 3;
  for (int c = 0; c < kConnections; ++c) {
    HttpClient client = this->client();
    ASSERT_TRUE(client.connected());
    for (int i = 0; i < kProxied + kUnrouted; ++i) {
      const std::string target = i < kProxied ? "/api/" + std::to_string(i) : "/other";
      HttpMessage r = client.round_trip(get_request(target), soon());
      ASSERT_TRUE(has_status(r, i < kProxied ? 200 : 404));
    }
  }
  const int total = kConnections * (kProxied + kUnrouted);
  std::vector<std::string> lines = wait_for_lines(log_path, total, soon());
  ASSERT_EQ(lines.size(), static_cast<size_t>(total));
  int ok = 0, not_found = 0;
  for (const std::string& l : lines) {
    ok += l == "200 -";
    not_found += l == "404 NR";
  }
  EXPECT_EQ(ok, kConnections * kProxied);
  EXPECT_EQ(not_found, kConnections * kUnrouted);

  HttpMessage r = admin("GET", "/stats");
  ASSERT_TRUE(has_status(r, 200));
  const std::string& s = r.body;
  EXPECT_EQ(sample(s, "ringress_downstream_rq_total"), total) << s;
  EXPECT_EQ(sample(s, "ringress_downstream_rq_2xx"), ok);
  EXPECT_EQ(sample(s, "ringress_downstream_rq_4xx"), not_found);
  EXPECT_EQ(sample(s, "ringress_downstream_rq_5xx"), 0);
  EXPECT_EQ(sample(s, "ringress_downstream_rq_no_route"), not_found);
  EXPECT_EQ(sample(s, "ringress_downstream_cx_total"), kConnections);
  EXPECT_EQ(sample(s, "ringress_upstream_rq_total"), ok);
  EXPECT_EQ(static_cast<size_t>(ok), upstream.request_count());
  EXPECT_EQ(sample(s, "ringress_upstream_rq_retry"), 0);
  EXPECT_EQ(sample(s, "ringress_upstream_cx_connect_fail"), 0);
  EXPECT_NE(s.find("ringress_cluster_upstream_cx_total{cluster=\"backend\"} " +
                   std::to_string(upstream.accepted()) + "\n"),
            std::string::npos)
      << s;
  // Every request is in the request-time histogram, every relayed response in the upstream one,
  // every new upstream connection in the connect-time one.
  EXPECT_EQ(sample(s, "ringress_downstream_rq_time_seconds_count"), total) << s;
  EXPECT_EQ(sample(s, "ringress_upstream_rq_time_seconds_count"), ok) << s;
  EXPECT_EQ(sample(s, "ringress_upstream_cx_connect_time_seconds_count"),
            static_cast<long long>(upstream.accepted()))
      << s;

  r = admin("GET", "/stats?format=json");
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_NE(r.body.find("\"downstream_rq_total\": " + std::to_string(total) + ","),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("\"downstream_rq_2xx\": " + std::to_string(ok) + ","), std::string::npos);
}

// N requests of mixed outcomes, each on its own connection: /stats counts each status class and
// each local-reply cause exactly as often as the access log has a line with it, and as the client
// saw it.
TEST_F(AdminTest, StatsAgreeWithTheAccessLogAndTheClientOverMixedOutcomes) {
  TempDir dir;
  const std::string log_path = dir.path() + "/access.log";
  HttpUpstream ok(ok_reply);
  HttpUpstream invalid([](const UpstreamRequest&) {
    UpstreamReply r;
    r.bytes = "NOT HTTP AT ALL\r\n\r\n";
    r.then = UpstreamReply::Then::close;
    return r;
  });
  HttpUpstream late([](const UpstreamRequest&) {
    UpstreamReply r;
    r.delay = milliseconds(1500);
    r.bytes = ok_response("late\n");
    return r;
  });
  HttpProxyConfig config;
  config.listen_port = listen_port_;
  config.virtual_hosts.push_back(
      {"all",
       {"*"},
       {R"({ prefix = "/api", cluster = "backend" })",
        R"({ prefix = "/invalid", cluster = "invalid" })",
        R"({ prefix = "/late", cluster = "late", timeout = "200ms" })",
        R"({ prefix = "/refused", cluster = "refused" })",
        R"({ prefix = "/unhealthy", cluster = "unhealthy" })",
        R"({ exact = "/direct", direct_response = { status = 200, body = "direct" } })",
        R"({ prefix = "/old/", redirect = { prefix = "/new/", status = 308 } })"}});
  config.clusters.push_back({"backend", {ok.port()}, {}});
  config.clusters.push_back({"invalid", {invalid.port()}, {}});
  config.clusters.push_back({"late", {late.port()}, {}});
  config.clusters.push_back({"refused", {free_port()}, {}});  // nothing listens: UF
  // Nothing listens and a tcp health check says so: once it has, UH.
  config.clusters.push_back(
      {"unhealthy",
       {free_port()},
       {R"(health_check = { kind = "tcp", interval = "100ms", timeout = "100ms", )"
        R"(unhealthy_threshold = 1, healthy_threshold = 1 })"}});
  config.listener_keys = {R"(filters = ["access_log", "router"])",
                          "access_log = { path = " + toml_string(log_path) +
                              R"(, format = "%STATUS% %RESPONSE_FLAGS%" })"};
  ASSERT_TRUE(start_with_admin(config));

  std::map<std::string, int> seen;  // "STATUS FLAGS" as the client's status and body tell
  int sent = 0;
  auto send = [&](const std::string& target, int status, const std::string& flags) {
    HttpClient c = client();
    ASSERT_TRUE(c.connected());
    HttpMessage r = c.round_trip(get_request(target), soon());
    ++sent;
    ASSERT_TRUE(has_status(r, status)) << target << "\n" << r.describe();
    ++seen[std::to_string(status) + " " + flags];
  };
  for (int i = 0; i < 6; ++i) send("/api/" + std::to_string(i), 200, "-");
  for (int i = 0; i < 3; ++i) send("/nowhere", 404, "NR");
  for (int i = 0; i < 2; ++i) send("/direct", 200, "DR");
  for (int i = 0; i < 2; ++i) send("/old/x", 308, "RD");
  for (int i = 0; i < 2; ++i) send("/invalid", 502, "UPE");
  send("/late", 504, "UT");
  for (int i = 0; i < 2; ++i) send("/refused", 503, "UF");
  // Until the health check has failed the unhealthy cluster's host gets connects (UF); then UH.
  for (const Deadline by = soon();;) {
    HttpClient c = client();
    ASSERT_TRUE(c.connected());
    HttpMessage r = c.round_trip(get_request("/unhealthy"), soon());
    ++sent;
    ASSERT_TRUE(is_local_reply(r, 503)) << r.describe();
    const bool uh = r.body == "no healthy upstream\n";
    ++seen[uh ? "503 UH" : "503 UF"];
    if (uh) break;
    ASSERT_LT(Clock::now(), by) << "no UH";
    std::this_thread::sleep_for(milliseconds(20));
  }
  if (HasFatalFailure()) return;

  std::vector<std::string> lines = wait_for_lines(log_path, sent, soon());
  ASSERT_EQ(lines.size(), static_cast<size_t>(sent));
  std::map<std::string, int> logged;
  for (const std::string& l : lines) ++logged[l];
  EXPECT_EQ(logged, seen);
  auto with_flag = [&](const std::string& flag) {
    int n = 0;
    for (const auto& [line, count] : logged)
      if (line.substr(line.find(' ') + 1) == flag) n += count;
    return n;
  };
  auto with_class = [&](char c) {
    int n = 0;
    for (const auto& [line, count] : logged)
      if (line[0] == c) n += count;
    return n;
  };

  HttpMessage r = admin("GET", "/stats");
  ASSERT_TRUE(has_status(r, 200));
  const std::string& s = r.body;
  EXPECT_EQ(sample(s, "ringress_downstream_rq_total"), sent) << s;
  EXPECT_EQ(sample(s, "ringress_downstream_cx_total"), sent);
  EXPECT_EQ(sample(s, "ringress_downstream_rq_1xx"), 0);
  EXPECT_EQ(sample(s, "ringress_downstream_rq_2xx"), with_class('2'));
  EXPECT_EQ(sample(s, "ringress_downstream_rq_3xx"), with_class('3'));
  EXPECT_EQ(sample(s, "ringress_downstream_rq_4xx"), with_class('4'));
  EXPECT_EQ(sample(s, "ringress_downstream_rq_5xx"), with_class('5'));
  EXPECT_EQ(with_class('2') + with_class('3') + with_class('4') + with_class('5'), sent);
  EXPECT_EQ(sample(s, "ringress_downstream_rq_no_route"), with_flag("NR"));
  EXPECT_EQ(sample(s, "ringress_downstream_rq_direct_response"), with_flag("DR"));
  EXPECT_EQ(sample(s, "ringress_downstream_rq_redirect"), with_flag("RD"));
  EXPECT_EQ(sample(s, "ringress_upstream_rq_protocol_error"), with_flag("UPE"));
  EXPECT_EQ(sample(s, "ringress_upstream_rq_timeout"), with_flag("UT"));
  EXPECT_EQ(sample(s, "ringress_upstream_rq_connect_fail"), with_flag("UF"));
  EXPECT_EQ(sample(s, "ringress_upstream_rq_no_healthy_upstream"), with_flag("UH"));
  EXPECT_EQ(sample(s, "ringress_upstream_rq_reset"), 0);
  EXPECT_EQ(sample(s, "ringress_upstream_rq_overflow"), 0);
  EXPECT_EQ(with_flag("UPE"), 2);
  EXPECT_EQ(with_flag("UT"), 1);
  EXPECT_EQ(with_flag("UH"), 1);
  // Proxied tries: the 200s, the two invalid responses, the late one.
  EXPECT_EQ(sample(s, "ringress_upstream_rq_total"), 6 + 2 + 1);
  EXPECT_EQ(static_cast<size_t>(6), ok.request_count());
  EXPECT_EQ(sample(s, "ringress_downstream_rq_time_seconds_count"), sent);
}

TEST_F(AdminTest, ClustersShowAHostsRequestsAndConnectionsInUseAndIdle) {
  // The upstream holds the first request until the test has looked at /clusters.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  HttpUpstream upstream([released](const UpstreamRequest&) {
    released.wait_for(stretched(seconds(10)));
    return ok_reply(UpstreamRequest{});
  });
  ASSERT_TRUE(start_with_admin(api_config(upstream.port())));
  const std::string host = "backend::127.0.0.1:" + std::to_string(upstream.port()) + "::";
  // Polls /clusters until it has every line (the pool takes a connection back just after the
  // response's last byte went out, so the client may see it first).
  auto expect_lines = [&](const std::vector<std::string>& lines) {
    const Deadline by = soon();
    std::string body;
    for (;;) {
      HttpMessage r = admin("GET", "/clusters");
      ASSERT_TRUE(has_status(r, 200));
      body = r.body;
      bool all = true;
      for (const std::string& line : lines) all = all && body.find(line) != std::string::npos;
      if (all) return;
      if (Clock::now() >= by) break;
      std::this_thread::sleep_for(milliseconds(10));
    }
    for (const std::string& line : lines)
      EXPECT_NE(body.find(line), std::string::npos) << line << "\n" << body;
  };
  expect_lines({host + "rq_active::0\n", host + "cx_active::0\n", host + "cx_idle::0\n"});

  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(get_request("/api/held"), soon()).ok());
  ASSERT_TRUE(upstream.wait_requests(1, soon()));
  expect_lines({host + "rq_active::1\n", host + "cx_active::1\n", host + "cx_idle::0\n",
                "backend::rq_active::1\n", "backend::cx_active::1\n"});
  HttpMessage r = admin("GET", "/clusters?format=json");
  EXPECT_NE(r.body.find("\"rq_active\": 1, \"cx_active\": 1, \"cx_idle\": 0}"), std::string::npos)
      << r.body;

  release.set_value();
  r = c.read_response(soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "fine\n");
  // The connection went back to the pool: open and idle, no request in flight.
  expect_lines({host + "rq_active::0\n", host + "cx_active::1\n", host + "cx_idle::1\n",
                "backend::rq_active::0\n", "backend::cx_active::1\n"});
  r = admin("GET", "/clusters?format=json");
  EXPECT_NE(r.body.find("\"rq_active\": 0, \"cx_active\": 1, \"cx_idle\": 1}"), std::string::npos)
      << r.body;
  EXPECT_EQ(upstream.accepted(), 1u);
}

TEST_F(AdminTest, ReadyTurns503OnPostDrainWhileARequestFinishes) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply r;
    r.bytes = ok_response("slow\n");
    r.delay = milliseconds(1500);
    return r;
  });
  HttpProxyConfig config = api_config(upstream.port());
  config.drain_timeout = "10s";
  ASSERT_TRUE(start_with_admin(config));
  ASSERT_TRUE(has_status(admin("GET", "/ready"), 200));

  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(get_request("/api/slow"), soon()).ok());
  ASSERT_TRUE(upstream.wait_requests(1, soon()));

  HttpMessage r = admin("POST", "/drain");
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "draining\n");
  r = admin("GET", "/ready");
  ASSERT_TRUE(has_status(r, 503));
  EXPECT_EQ(r.body, "draining\n");
  r = admin("GET", "/server_info");
  EXPECT_NE(r.body.find("\"state\": \"draining\""), std::string::npos) << r.body;

  r = c.read_response(soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "slow\n");
  auto status = proxy_.wait_exit(stretched(seconds(10)));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->success()) << status->describe();
  EXPECT_NE(proxy_.log().find("admin: drain requested"), std::string::npos);
}

TEST_F(AdminTest, LoggingShowsAndChangesTheLevel) {
  HttpUpstream upstream(ok_reply);
  ASSERT_TRUE(start_with_admin(api_config(upstream.port())));
  HttpMessage r = admin("GET", "/logging");
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "level: info\n");
  r = admin("POST", "/logging?level=warn");
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "level: warn\n");
  r = admin("GET", "/logging");
  EXPECT_EQ(r.body, "level: warn\n");
  EXPECT_TRUE(has_status(admin("GET", "/logging?level=loud"), 400));
  EXPECT_TRUE(has_status(admin("PUT", "/logging"), 405));

  // At warn, the info line of a SIGTERM stop is not written; the change itself always is.
  ASSERT_TRUE(proxy_.signal(SIGTERM));
  auto status = proxy_.wait_exit(stretched(seconds(10)));
  ASSERT_TRUE(status);
  const std::string log = proxy_.log();
  EXPECT_NE(log.find("admin: log level info -> warn"), std::string::npos) << log;
  EXPECT_EQ(log.find("stopping: no new connections"), std::string::npos) << log;
}

TEST_F(AdminTest, ConfigIsServedWithKeysRedacted) {
  const TestPki* pki = shared_test_pki();
  ASSERT_TRUE(pki);
  HttpUpstream upstream(ok_reply);
  HttpProxyConfig config = api_config(upstream.port());
  config.clusters[0].keys = {"tls = { client_cert = " + toml_string(pki->client.cert) +
                             ", client_key = " + toml_string(pki->client.key) + ", ca = " +
                             toml_string(pki->ca_cert) + ", server_name = \"localhost\" }"};
  ASSERT_TRUE(start_with_admin(config));
  HttpMessage r = admin("GET", "/config");
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.header("content-type"), "application/toml");
  EXPECT_EQ(r.body.find(pki->client.key), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("client_key = '[redacted]'"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(pki->client.cert), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("address = '127.0.0.1:" + std::to_string(admin_port_) + "'"),
            std::string::npos);
}

TEST(AdminConfig, NonLoopbackAddressNeedsAllowRemote) {
  const std::string base =
      "[[clusters]]\nname = \"b\"\nendpoints = [\"127.0.0.1:9\"]\n"
      "[[listeners]]\nname = \"l\"\naddress = \"127.0.0.1:1\"\ncluster = \"b\"\n";
  std::string path;
  RunResult r = validate_config(base + "[admin]\naddress = \"0.0.0.0:9901\"\n", &path);
  ASSERT_TRUE(r.status);
  EXPECT_EQ(r.status->code(), 1);
  EXPECT_EQ(r.err, path +
                       ":9:11: admin.address: 0.0.0.0:9901 is not a loopback address: the admin "
                       "endpoint has no authentication; use 127.0.0.1 or [::1], or set "
                       "allow_remote = true\n");
  r = validate_config(base + "[admin]\naddress = \"0.0.0.0:9901\"\nallow_remote = true\n", &path);
  ASSERT_TRUE(r.status);
  EXPECT_EQ(r.status->code(), 0) << r.err;
  r = validate_config(base + "[admin]\naddress = \"[::1]:9901\"\n", &path);
  EXPECT_EQ(r.status->code(), 0) << r.err;
  r = validate_config(base + "[admin]\naddress = \"localhost:9901\"\n", &path);
  EXPECT_EQ(r.status->code(), 1);
  EXPECT_NE(r.err.find(":9:11: admin.address: expected a numeric"), std::string::npos) << r.err;
  r = validate_config(base + "[admin]\nadress = \"127.0.0.1:9901\"\n", &path);
  EXPECT_EQ(r.status->code(), 1);
  EXPECT_NE(r.err.find(":9:1: admin.adress:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ringress::test
