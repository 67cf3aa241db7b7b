// %RESPONSE_FLAGS% of every local reply and every upstream failure, through the real binary:
// each case makes ringress answer (or cut) one request for one reason and checks what the client
// got and the access log line "STATUS FLAGS" (docs/configuration.md, the flag table). The flags
// tested elsewhere: NR (e2e_admin), DPE (exchange_rules_test), UH (cluster_test), DC and UR
// (fault_phase_test).
#include <signal.h>

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/e2e_http/http_proxy_test.h"
#include "tests/support/log_file.h"
#include "tests/support/temp_dir.h"

namespace ringress::test {
namespace {

class ResponseFlagsTest : public HttpProxyTest {
 protected:
  // Starts `config` with `filters` (the router last) and an access log of "STATUS FLAGS" lines.
  ::testing::AssertionResult start_logged(
      HttpProxyConfig config, const std::string& filters = R"("access_log", "router")") {
    if (dir_.path().empty()) return ::testing::AssertionFailure() << "no temp dir";
    log_path_ = dir_.path() + "/access.log";
    config.listener_keys.push_back("filters = [" + filters + "]");
    config.listener_keys.push_back("access_log = { path = " + toml_string(log_path_) +
                                   R"(, format = "%STATUS% %RESPONSE_FLAGS%" })");
    return start(config);
  }
  // The access log's lines once it has `n`.
  std::vector<std::string> lines(size_t n) const {
    return wait_for_lines(log_path_, n, deadline_in(stretched(seconds(5))));
  }
  // One request on a new connection.
  HttpMessage get(const std::string& target) const {
    HttpClient c = client();
    if (!c.connected()) return HttpMessage{};
    return c.round_trip(get_request(target), soon());
  }

  TempDir dir_;
  std::string log_path_;
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
  ASSERT_TRUE(proxy_.signal(SIGTERM));
  std::string extra;
  IoResult closed = c.wait_closed(soon(), &extra);
  EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
      << closed.describe();
  EXPECT_EQ(extra, "");
  auto status = proxy_.wait_exit(stretched(seconds(10)));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->success()) << status->describe();
  EXPECT_EQ(lines(1), std::vector<std::string>{"0 SC"});
}

}  // namespace
}  // namespace ringress::test
