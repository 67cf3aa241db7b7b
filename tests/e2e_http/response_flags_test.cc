// The access log through the real binary. %RESPONSE_FLAGS% of every local reply and every
// upstream failure: each case makes ringress answer (or cut) one request for one reason and checks
// what the client got and the line "STATUS FLAGS" (docs/configuration.md, the flag table); the
// flags tested elsewhere: NR (e2e_admin), DPE (exchange_rules_test), UH (cluster_test), DC and UR
// (fault_phase_test). Then the flags of tunnels, and the upstream timing variables, in text and
// JSON.
#include <signal.h>

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/e2e_http/http_proxy_test.h"
#include "tests/support/log_file.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace ringress::test {
namespace {

class ResponseFlagsTest : public HttpProxyTest {
 protected:
  // Starts `config` with `filters` (the router last) and an access log of `format` lines
  // ("STATUS FLAGS" by default), as JSON objects if `json`.
  ::testing::AssertionResult start_logged(HttpProxyConfig config,
                                          const std::string& filters = R"("access_log", "router")",
                                          const std::string& format = "%STATUS% %RESPONSE_FLAGS%",
                                          bool json = false) {
    if (dir_.path().empty()) return ::testing::AssertionFailure() << "no temp dir";
    return start(with_log(std::move(config), filters, format, json));
  }
  // `config` with those filters and that access log.
  HttpProxyConfig with_log(HttpProxyConfig config,
                           const std::string& filters = R"("access_log", "router")",
                           const std::string& format = "%STATUS% %RESPONSE_FLAGS%",
                           bool json = false) {
    log_path_ = dir_.path() + "/access.log";
    config.listener_keys.push_back("filters = [" + filters + "]");
    config.listener_keys.push_back("access_log = { path = " + toml_string(log_path_) +
                                   ", format = " + toml_string(format) +
                                   (json ? ", json = true" : "") + " }");
    return config;
  }
  // start_logged(config) with an admin endpoint on `admin_port_`.
  ::testing::AssertionResult start_logged_with_admin(HttpProxyConfig config) {
    if (dir_.path().empty()) return ::testing::AssertionFailure() << "no temp dir";
    admin_port_ = free_port();
    return proxy_.start(with_log(std::move(config)).toml() + "\n[admin]\naddress = \"127.0.0.1:" +
                            std::to_string(admin_port_) + "\"\n",
                        listen_port_);
  }
  // The admin endpoint's /stats (Prometheus text), once it listens; "" if it did not answer.
  std::string prometheus_stats() const {
    const Deadline by = soon();
    while (!port_is_listening(admin_port_) && Clock::now() < by)
      std::this_thread::sleep_for(milliseconds(10));
    HttpClient admin(admin_port_);
    if (!admin.connected()) return "";
    HttpMessage stats =
        admin.round_trip(request_bytes("GET", "/stats", {{"Host", "admin"}}), soon());
    return has_status(stats, 200) ? stats.body : "";
  }
  // The access log's lines once it has `n`.
  std::vector<std::string> lines(size_t n) const {
    return wait_for_lines(log_path_, n, deadline_in(stretched(seconds(5))));
  }
  // SIGTERM with `c` mid-exchange: the drain cuts it (nothing more reaches it) and the process
  // exits cleanly.
  void terminate_and_expect_cut(HttpClient& c) {
    ASSERT_TRUE(proxy_.signal(SIGTERM));
    std::string extra;
    IoResult closed = c.wait_closed(soon(), &extra);
    EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
        << closed.describe();
    EXPECT_EQ(extra, "");
    auto status = proxy_.wait_exit(stretched(seconds(10)));
    ASSERT_TRUE(status);
    EXPECT_TRUE(status->success()) << status->describe();
  }
  // One request on a new connection.
  HttpMessage get(const std::string& target) const {
    HttpClient c = client();
    if (!c.connected()) return HttpMessage{};
    return c.round_trip(get_request(target), soon());
  }

  TempDir dir_;
  std::string log_path_;
  uint16_t admin_port_ = 0;
};

UpstreamReply held(const UpstreamRequest&) {
  UpstreamReply r;
  r.delay = milliseconds(1500);
  r.bytes = ok_response("late\n");
  return r;
}

TEST_F(ResponseFlagsTest, DirectResponseIsDR) {
  HttpProxyConfig config = config_for(free_port());
  config.virtual_hosts[0].routes = {
      R"({ exact = "/direct", direct_response = { status = 202, body = "here" } })"};
  ASSERT_TRUE(start_logged(config));
  HttpMessage r = get("/direct");
  ASSERT_TRUE(has_status(r, 202));
  EXPECT_EQ(r.body, "here");
  EXPECT_EQ(lines(1), std::vector<std::string>{"202 DR"});
}

TEST_F(ResponseFlagsTest, RedirectIsRD) {
  HttpProxyConfig config = config_for(free_port());
  config.virtual_hosts[0].routes = {
      R"({ prefix = "/old/", redirect = { prefix = "/new/", status = 308 } })"};
  ASSERT_TRUE(start_logged(config));
  HttpMessage r = get("/old/x");
  ASSERT_TRUE(has_status(r, 308));
  EXPECT_EQ(r.header("location"), "http://test.local/new/x");
  EXPECT_EQ(lines(1), std::vector<std::string>{"308 RD"});
}

TEST_F(ResponseFlagsTest, HeadNotInTimeIsRT) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back(R"(request_headers_timeout = "300ms")");
  ASSERT_TRUE(start_logged(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip("GET /half HTTP/1.1\r\nHost: h\r\nX-Pa", soon());
  ASSERT_TRUE(is_local_reply(r, 408));
  EXPECT_EQ(r.body, "request headers not received in time\n");
  EXPECT_EQ(lines(1), std::vector<std::string>{"408 RT"});
}

TEST_F(ResponseFlagsTest, StalledRequestBodyIsSI) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start_logged(config_for(upstream.port(), R"(idle_timeout = "300ms")")));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(
      request_bytes("POST", "/stalled", {{"Host", "h"}, {"Content-Length", "100"}}) + "only ten..",
      soon());
  ASSERT_TRUE(is_local_reply(r, 408));
  EXPECT_EQ(r.body, "request body not received in time\n");
  EXPECT_EQ(lines(1), std::vector<std::string>{"408 SI"});
}

// The other side of SI: a body that keeps coming, a byte every 100 ms, for longer than the route's
// idle_timeout while the upstream waits for all of it, is neither cut nor a 504.
TEST_F(ResponseFlagsTest, SteadyRequestBodyLongerThanIdleTimeoutIsServed) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start_logged(config_for(upstream.port(), R"(idle_timeout = "400ms")")));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(
      c.send(request_bytes("POST", "/steady", {{"Host", "h"}, {"Content-Length", "10"}}), soon())
          .ok());
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    ASSERT_TRUE(c.send(std::string(1, static_cast<char>('0' + i)), soon()).ok());
  }
  HttpMessage r = c.read_response(soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "POST /steady 10");
  EXPECT_EQ(lines(1), std::vector<std::string>{"200 -"});
}

TEST_F(ResponseFlagsTest, BodyOverMaxBodySizeIsBTL) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start_logged(config_for(upstream.port(), "max_body_size = 10")));
  // Announced too large: refused before any upstream work.
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(
      request_bytes("POST", "/big", {{"Host", "h"}, {"Content-Length", "11"}}) + "0123456789a",
      soon());
  ASSERT_TRUE(is_local_reply(r, 413));
  EXPECT_EQ(r.body, "request body larger than this route allows\n");
  // Chunked: found too large while it streams.
  HttpClient chunked = client();
  ASSERT_TRUE(chunked.connected());
  r = chunked.round_trip(
      request_bytes("POST", "/big", {{"Host", "h"}, {"Transfer-Encoding", "chunked"}}) +
          "8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n",
      soon());
  ASSERT_TRUE(is_local_reply(r, 413));
  EXPECT_EQ(lines(2), (std::vector<std::string>{"413 BTL", "413 BTL"}));
}

TEST_F(ResponseFlagsTest, NoConnectionToTheUpstreamIsUF) {
  ASSERT_TRUE(start_logged(config_for(free_port())));  // nothing listens there
  HttpMessage r = get("/refused");
  ASSERT_TRUE(is_local_reply(r, 503));
  EXPECT_EQ(r.body, "upstream connect error: Connection refused\n");
  EXPECT_EQ(lines(1), std::vector<std::string>{"503 UF"});
}

TEST_F(ResponseFlagsTest, MalformedUpstreamResponseIsUPE) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply r;
    r.bytes = "NOT HTTP AT ALL\r\n\r\n";
    r.then = UpstreamReply::Then::close;
    return r;
  });
  ASSERT_TRUE(start_logged(config_for(upstream.port())));
  HttpMessage r = get("/invalid");
  ASSERT_TRUE(is_local_reply(r, 502));
  EXPECT_EQ(r.body, "upstream sent an invalid response\n");
  EXPECT_EQ(lines(1), std::vector<std::string>{"502 UPE"});
}

TEST_F(ResponseFlagsTest, UpstreamPastTheRouteTimeoutIsUT) {
  HttpUpstream upstream(held);
  ASSERT_TRUE(start_logged(config_for(upstream.port(), R"(timeout = "200ms")")));
  HttpMessage r = get("/late");
  ASSERT_TRUE(is_local_reply(r, 504));
  EXPECT_EQ(r.body, "upstream did not respond in time\n");
  EXPECT_EQ(lines(1), std::vector<std::string>{"504 UT"});
}

TEST_F(ResponseFlagsTest, OverACircuitBreakerIsUO) {
  HttpUpstream upstream(held);
  HttpProxyConfig config = config_for(upstream.port());
  config.clusters[0].keys.push_back("circuit_breakers = { max_requests = 1 }");
  ASSERT_TRUE(start_logged(config));
  HttpClient first = client();
  ASSERT_TRUE(first.connected());
  ASSERT_TRUE(first.send(get_request("/held"), soon()).ok());
  ASSERT_TRUE(upstream.wait_requests(1, soon()));
  HttpMessage r = get("/over");
  ASSERT_TRUE(is_local_reply(r, 503));
  EXPECT_EQ(r.body, "upstream overflow: the cluster's circuit breaker max_requests is reached\n");
  ASSERT_TRUE(has_status(first.read_response(soon()), 200));
  EXPECT_EQ(lines(2), (std::vector<std::string>{"503 UO", "200 -"}));
}

TEST_F(ResponseFlagsTest, LocalRateLimitIsRL) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back("local_rate_limit = { requests_per_second = 1, burst = 1 }");
  ASSERT_TRUE(start_logged(config, R"("access_log", "local_rate_limit", "router")"));
  ASSERT_TRUE(has_status(get("/1"), 200));
  HttpMessage r = get("/2");
  ASSERT_TRUE(is_local_reply(r, 429));
  EXPECT_EQ(r.body, "local rate limit exceeded\n");
  EXPECT_EQ(lines(2), (std::vector<std::string>{"200 -", "429 RL"}));
}

TEST_F(ResponseFlagsTest, FaultAbortIsFI) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back("fault = { abort_percent = 100, abort_status = 418 }");
  ASSERT_TRUE(start_logged(config, R"("access_log", "fault", "router")"));
  HttpMessage r = get("/f");
  ASSERT_TRUE(is_local_reply(r, 418));
  EXPECT_EQ(r.body, "fault filter abort\n");
  EXPECT_EQ(lines(1), std::vector<std::string>{"418 FI"});
  EXPECT_EQ(upstream.request_count(), 0u);
}

// A request still waiting for its upstream at drain_timeout is cut: no response, flag SC.
TEST_F(ResponseFlagsTest, CutAtDrainTimeoutIsSC) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply r;
    r.delay = milliseconds(5000);
    r.bytes = ok_response("too late\n");
    return r;
  });
  HttpProxyConfig config = config_for(upstream.port());
  config.drain_timeout = "300ms";
  ASSERT_TRUE(start_logged(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(get_request("/cut"), soon()).ok());
  ASSERT_TRUE(upstream.wait_requests(1, soon()));
  ASSERT_NO_FATAL_FAILURE(terminate_and_expect_cut(c));
  EXPECT_EQ(lines(1), std::vector<std::string>{"0 SC"});
}

// Plain HTTP sent to a TLS port: the fixed 400 is a request like any other (DPE), in the access log
// and in /stats.
TEST_F(ResponseFlagsTest, PlainHttpOnATlsPortIsDPE) {
  const TestPki* pki = shared_test_pki();
  ASSERT_NE(pki, nullptr);
  ASSERT_FALSE(dir_.path().empty());
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back(
      "tls = { certificates = [{ cert = " + toml_string(pki->a_ecdsa.cert) +
      ", key = " + toml_string(pki->a_ecdsa.key) + " }] }");
  ASSERT_TRUE(start_logged_with_admin(config));
  HttpMessage r = get("/plain");
  ASSERT_TRUE(has_status(r, 400));
  EXPECT_EQ(r.head,
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 47\r\n"
            "Connection: close\r\n\r\n");
  EXPECT_EQ(r.body, "This port speaks TLS: use https:// to connect.\n");
  EXPECT_EQ(lines(1), std::vector<std::string>{"400 DPE"});
  EXPECT_EQ(upstream.accepted(), 0u);

  const std::string stats = prometheus_stats();
  for (const char* line :
       {"\nringress_downstream_rq_total 1\n", "\nringress_downstream_rq_4xx 1\n",
        "\nringress_downstream_rq_bad_request 1\n", "\nringress_downstream_tls_plain_http 1\n"})
    EXPECT_NE(stats.find(line), std::string::npos) << line << stats;
}

// An upstream that always answers 503, on a route that retries 5xx twice: three tries, then the
// last 503 goes to the client as the upstream sent it, flagged URX.
TEST_F(ResponseFlagsTest, RetriableStatusWithNoRetryLeftIsURX) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply r;
    r.bytes = response_bytes(503, "Service Unavailable", {}, "busy");
    return r;
  });
  ASSERT_TRUE(start_logged_with_admin(config_for(
      upstream.port(), R"(retry = { on = ["5xx"], attempts = 2, backoff = { base = "0ms" } })")));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(get_request("/busy"), soon());
  ASSERT_TRUE(has_status(r, 503));
  EXPECT_EQ(r.head, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\n");
  EXPECT_EQ(r.body, "busy");
  EXPECT_EQ(upstream.request_count(), 3u);
  // A request with a body is never sent twice: its 503 is only the upstream's.
  r = c.round_trip(request_bytes("POST", "/busy", {{"Host", "h"}, {"Content-Length", "1"}}) + "x",
                   soon());
  ASSERT_TRUE(has_status(r, 503));
  EXPECT_EQ(r.body, "busy");
  EXPECT_EQ(upstream.request_count(), 4u);
  EXPECT_EQ(lines(2), (std::vector<std::string>{"503 URX", "503 -"}));
  const std::string stats = prometheus_stats();
  EXPECT_NE(stats.find("\nringress_upstream_rq_retry_limit_exceeded 1\n"), std::string::npos)
      << stats;
}

// The upstream's 101 for a WebSocket handshake.
UpstreamReply switching(UpstreamReply::Then then) {
  UpstreamReply r;
  r.bytes = response_bytes(101, "Switching Protocols",
                           {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}}, "", false);
  r.then = then;
  return r;
}
constexpr const char* kSwitchedHead =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n";

// A tunnel ends by how its sides closed: both with FIN is no failure; an upstream's reset is UR,
// the client's DC; no byte either way for the route's idle_timeout, SI.
TEST_F(ResponseFlagsTest, TunnelEndsAreFlaggedBySideAndHow) {
  HttpUpstream echo([](const UpstreamRequest&) { return switching(UpstreamReply::Then::echo); });
  HttpUpstream resets([](const UpstreamRequest&) { return switching(UpstreamReply::Then::reset); });
  HttpProxyConfig config =
      config_for(echo.port(), R"(allow_upgrade = true, idle_timeout = "300ms")");
  config.virtual_hosts[0].routes.insert(
      config.virtual_hosts[0].routes.begin(),
      R"({ prefix = "/ws", cluster = "resets", allow_upgrade = true })");
  config.clusters.push_back({"resets", {resets.port()}, {}});
  ASSERT_TRUE(start_logged(config));

  // Closed by both, with FIN: the bytes crossed, no flag.
  HttpClient fin = client();
  ASSERT_TRUE(fin.connected());
  HttpMessage r = fin.round_trip(websocket_handshake("/chat"), soon());
  ASSERT_EQ(r.head, kSwitchedHead) << r.describe();
  ASSERT_TRUE(fin.send("ping", soon()).ok());
  std::string echoed;
  ASSERT_TRUE(fin.recv_raw(echoed, 4, soon()).ok());
  EXPECT_EQ(echoed, "ping");
  shutdown_write(fin.fd());
  std::string extra;
  EXPECT_EQ(fin.wait_closed(soon(), &extra).status, IoResult::kEof);
  EXPECT_EQ(extra, "");
  EXPECT_EQ(lines(1), std::vector<std::string>{"101 -"});

  // The upstream resets after its 101: UR, and the client's connection closes.
  HttpClient cut = client();
  ASSERT_TRUE(cut.connected());
  r = cut.round_trip(websocket_handshake("/ws"), soon());
  ASSERT_EQ(r.head, kSwitchedHead) << r.describe();
  IoResult closed = cut.wait_closed(soon(), &extra);
  EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
      << closed.describe();
  EXPECT_EQ(extra, "");
  EXPECT_EQ(lines(2), (std::vector<std::string>{"101 -", "101 UR"}));

  // The client resets: DC.
  HttpClient gone = client();
  ASSERT_TRUE(gone.connected());
  r = gone.round_trip(websocket_handshake("/chat"), soon());
  ASSERT_EQ(r.head, kSwitchedHead) << r.describe();
  set_linger_zero(gone.fd());
  gone.close();
  EXPECT_EQ(lines(3), (std::vector<std::string>{"101 -", "101 UR", "101 DC"}));

  // Quiet both ways past the route's idle_timeout: SI, and the tunnel is closed.
  HttpClient quiet = client();
  ASSERT_TRUE(quiet.connected());
  r = quiet.round_trip(websocket_handshake("/chat"), soon());
  ASSERT_EQ(r.head, kSwitchedHead) << r.describe();
  closed = quiet.wait_closed(soon(), &extra);
  EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
      << closed.describe();
  EXPECT_EQ(extra, "");
  EXPECT_EQ(lines(4), (std::vector<std::string>{"101 -", "101 UR", "101 DC", "101 SI"}));
}

// A tunnel still open at drain_timeout is cut by ringress: SC.
TEST_F(ResponseFlagsTest, TunnelCutAtDrainTimeoutIsSC) {
  HttpUpstream echo([](const UpstreamRequest&) { return switching(UpstreamReply::Then::echo); });
  HttpProxyConfig config = config_for(echo.port(), "allow_upgrade = true");
  config.drain_timeout = "300ms";
  ASSERT_TRUE(start_logged(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(websocket_handshake("/chat"), soon());
  ASSERT_EQ(r.head, kSwitchedHead) << r.describe();
  ASSERT_NO_FATAL_FAILURE(terminate_and_expect_cut(c));
  EXPECT_EQ(lines(1), std::vector<std::string>{"101 SC"});
}

constexpr const char* kTimingFormat =
    "%STATUS% %RESPONSE_DURATION% %UPSTREAM_SERVICE_TIME% %RESPONSE_TX_DURATION% "
    "%UPSTREAM_CONNECT_TIME% %UPSTREAM_REQUEST_ATTEMPT_COUNT% %DURATION%";

// A line's space-separated fields: a number, or -1 for "-".
std::vector<long> fields(const std::string& line) {
  std::vector<long> out;
  std::size_t start = 0;
  while (start <= line.size()) {
    std::size_t end = line.find(' ', start);
    if (end == std::string::npos) end = line.size();
    const std::string f = line.substr(start, end - start);
    out.push_back(f == "-" ? -1 : std::stol(f));
    start = end + 1;
  }
  return out;
}

// An upstream that answers after 300 ms: the response's first byte comes that late from the start
// of the request and of the try; a new connection has a connect time, a pooled one "-"; a local
// reply has no upstream timing at all and no try.
TEST_F(ResponseFlagsTest, UpstreamTimingFields) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply r;
    r.delay = milliseconds(300);
    r.bytes = ok_response("slow\n");
    return r;
  });
  HttpProxyConfig config = config_for(upstream.port());
  config.virtual_hosts[0].routes.insert(
      config.virtual_hosts[0].routes.begin(),
      R"({ exact = "/direct", direct_response = { status = 200, body = "here" } })");
  ASSERT_TRUE(start_logged(config, R"("access_log", "router")", kTimingFormat));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(has_status(c.round_trip(get_request("/first"), soon()), 200));
  ASSERT_TRUE(has_status(c.round_trip(get_request("/pooled"), soon()), 200));
  ASSERT_TRUE(has_status(c.round_trip(get_request("/direct"), soon()), 200));
  std::vector<std::string> logged = lines(3);
  ASSERT_EQ(logged.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(logged[i]);
    std::vector<long> f = fields(logged[i]);
    ASSERT_EQ(f.size(), 7u);
    EXPECT_EQ(f[0], 200);
    EXPECT_GE(f[1], 300);              // RESPONSE_DURATION
    EXPECT_GE(f[2], 300);              // UPSTREAM_SERVICE_TIME
    EXPECT_LE(f[2], f[1]);             // the try started after the request
    EXPECT_GE(f[3], 0);                // RESPONSE_TX_DURATION
    EXPECT_LE(f[1] + f[3], f[6] + 1);  // first byte + sending it <= DURATION (ms rounding)
    EXPECT_EQ(f[5], 1);                // one try
  }
  EXPECT_GE(fields(logged[0])[4], 0);  // a new connection: its connect time
  EXPECT_LT(fields(logged[0])[4], 300);
  EXPECT_EQ(fields(logged[1])[4], -1);  // the pooled one: none
  EXPECT_EQ(logged[2].rfind("200 - - - - 0 ", 0), 0u) << logged[2];
  EXPECT_EQ(upstream.accepted(), 1u);
}

// A retry on a 503: two tries; in JSON the timings are numbers, and null where there was none.
TEST_F(ResponseFlagsTest, UpstreamTimingFieldsInJsonCountTries) {
  HttpUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply r;
    r.bytes = response_bytes(503, "Service Unavailable", {}, "busy");
    return r;
  });
  HttpProxyConfig config = config_for(upstream.port(), R"(retry = { on = ["5xx"], attempts = 1 })");
  config.virtual_hosts[0].routes.insert(
      config.virtual_hosts[0].routes.begin(),
      R"({ exact = "/direct", direct_response = { status = 200, body = "here" } })");
  ASSERT_TRUE(start_logged(config, R"("access_log", "router")",
                           "%STATUS% %UPSTREAM_REQUEST_ATTEMPT_COUNT% %RESPONSE_DURATION% "
                           "%UPSTREAM_CONNECT_TIME%",
                           true));
  ASSERT_TRUE(has_status(get("/retried"), 503));
  ASSERT_TRUE(has_status(get("/direct"), 200));
  std::vector<std::string> logged = lines(2);
  ASSERT_EQ(logged.size(), 2u);
  // The retry's try opened a new connection (a try that is retried is never pooled).
  EXPECT_EQ(logged[0].rfind(
                R"({"status":503,"upstream_request_attempt_count":2,"response_duration":)", 0),
            0u)
      << logged[0];
  EXPECT_EQ(logged[0].find("null"), std::string::npos) << logged[0];
  EXPECT_EQ(logged[1],
            R"({"status":200,"upstream_request_attempt_count":0,"response_duration":null,)"
            R"("upstream_connect_time":null})");
}

}  // namespace
}  // namespace ringress::test
