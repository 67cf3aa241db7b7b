// The listener's filters through the real binary: header edits, the local rate limit, fault
// injection and the access log.
#include <signal.h>

#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"
#include "tests/support/temp_dir.h"

namespace ringress::test {
namespace {

using FiltersTest = HttpProxyTest;

TEST_F(FiltersTest, HeadersFilterEditsRequestAndResponse) {
  HttpUpstream upstream([](const UpstreamRequest& r) {
    UpstreamReply reply;
    reply.bytes = ok_response("h " + r.message.target, {{"Server", "backend/1.0"}});
    return reply;
  });
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {
      R"(filters = ["headers", "router"])",
      R"(headers = { request_set = { "X-Env" = "test" }, request_remove = ["X-Debug"], )"
      R"(response_add = { "X-Filter" = "added" }, response_remove = ["Server"] })"};
  ASSERT_TRUE(start(config));

  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(
      request_bytes("GET", "/f", {{"Host", "h"}, {"X-Env", "client"}, {"X-Debug", "1"}}), soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.header("x-filter"), "added") << r.describe();
  EXPECT_EQ(r.headers.count("server"), 0u) << r.describe();

  auto seen = upstream.wait_requests(1, soon());
  ASSERT_TRUE(seen);
  const HttpMessage& up = (*seen)[0].message;
  EXPECT_EQ(up.headers.count("x-env"), 1u) << up.describe();
  EXPECT_EQ(up.header("x-env"), "test");
  EXPECT_EQ(up.headers.count("x-debug"), 0u) << up.describe();
}

TEST_F(FiltersTest, LocalRateLimitAnswers429OnceTheBurstIsUsed) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {R"(filters = ["local_rate_limit", "router"])",
                          R"(local_rate_limit = { requests_per_second = 1, burst = 2 })"};
  ASSERT_TRUE(start(config));

  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  EXPECT_TRUE(has_status(c.round_trip(get_request("/1"), soon()), 200));
  EXPECT_TRUE(has_status(c.round_trip(get_request("/2"), soon()), 200));
  EXPECT_TRUE(is_local_reply(c.round_trip(get_request("/3"), soon()), 429));
  EXPECT_EQ(upstream.request_count(), 2u);
}

TEST_F(FiltersTest, FaultAbortAnswersWithItsStatus) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {R"(filters = ["fault", "router"])",
                          R"(fault = { abort_percent = 100, abort_status = 418 })"};
  ASSERT_TRUE(start(config));

  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(is_local_reply(c.round_trip(get_request("/f"), soon()), 418)) << "request " << i;
  EXPECT_EQ(upstream.request_count(), 0u);
}

TEST_F(FiltersTest, AccessLogHasOneLinePerRequestWithStatusAndPath) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string log_path = dir.path() + "/access.log";
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {R"(filters = ["access_log", "router"])",
                          "access_log = { path = " + toml_string(log_path) + " }"};
  config.virtual_hosts[0].routes = {
      R"({ exact = "/direct", direct_response = { status = 202, body = "accepted" } })",
      R"({ prefix = "/up/", cluster = "backend" })",
  };
  ASSERT_TRUE(start(config));

  struct Case {
    std::string method, path;
    int status;
  };
  const std::vector<Case> cases = {{"GET", "/up/1", 200},
                                   {"POST", "/up/2", 200},
                                   {"GET", "/direct", 202},
                                   {"GET", "/nowhere", 404}};
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (const Case& k : cases) {
    std::vector<std::pair<std::string, std::string>> fields = {{"Host", "h"}};
    if (k.method == "POST") fields.push_back({"Content-Length", "0"});
    ASSERT_TRUE(
        has_status(c.round_trip(request_bytes(k.method, k.path, fields), soon()), k.status));
  }
  c.close();
  std::optional<ExitStatus> exit = proxy_.terminate(stretched(milliseconds(5000)));
  ASSERT_TRUE(exit) << "still running 5 s after SIGTERM";
  EXPECT_TRUE(exit->success()) << exit->describe();

  std::string text = read_text_file(log_path);
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), cases.size()) << "access log:\n" << text;
  // The default format: ... "METHOD PATH PROTOCOL" STATUS ...
  static const std::regex request_part("\"(\\S+) (\\S+) HTTP/1\\.1\" (\\d{3}) ");
  for (size_t i = 0; i < cases.size(); ++i) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(lines[i], m, request_part)) << lines[i];
    EXPECT_EQ(m[1].str(), cases[i].method) << lines[i];
    EXPECT_EQ(m[2].str(), cases[i].path) << lines[i];
    EXPECT_EQ(m[3].str(), std::to_string(cases[i].status)) << lines[i];
  }
}

}  // namespace
}  // namespace ringress::test
