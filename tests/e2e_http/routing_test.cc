// Routing through the real binary: virtual hosts by Host, prefix rewrites as the upstream sees
// them, and a weighted split between clusters.
#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using RoutingTest = HttpProxyTest;

// An upstream whose replies say which one it is.
HttpUpstream::Handler named(std::string name) {
  return [name](const UpstreamRequest& r) {
    UpstreamReply reply;
    reply.bytes = ok_response(name + " " + r.message.target);
    return reply;
  };
}

TEST_F(RoutingTest, VirtualHostIsChosenByHost) {
  HttpUpstream api(named("api")), web(named("web"));
  HttpProxyConfig config;
  config.listen_port = listen_port_;
  config.virtual_hosts = {
      {"api", {"api.example.com"}, {R"({ prefix = "/", cluster = "api" })"}},
      {"www", {"*"}, {R"({ prefix = "/", cluster = "web" })"}},
  };
  config.clusters = {{"api", {api.port()}, {}}, {"web", {web.port()}, {}}};
  ASSERT_TRUE(start(config));

  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  struct Case {
    std::string host, expected;
  };
  for (const Case& k : std::vector<Case>{{"api.example.com", "api /x"},
                                         {"API.Example.com:8080", "api /x"},
                                         {"api.example.com.", "api /x"},
                                         {"api.example.com.:80", "api /x"},
                                         {"www.example.com", "web /x"},
                                         {"api.example.com.evil", "web /x"},
                                         {"example.com", "web /x"}}) {
    HttpMessage r = c.round_trip(get_request("/x", k.host), soon());
    ASSERT_TRUE(has_status(r, 200)) << k.host;
    EXPECT_EQ(r.body, k.expected) << "Host: " << k.host;
  }
  EXPECT_EQ(api.request_count(), 4u);
  EXPECT_EQ(web.request_count(), 3u);
}

TEST_F(RoutingTest, PrefixRewriteChangesTheTargetSentUpstream) {
  HttpUpstream upstream(named("up"));
  HttpProxyConfig config = config_for(upstream.port());
  config.virtual_hosts[0].routes = {
      R"({ prefix = "/api/", cluster = "backend", prefix_rewrite = "/v2/" })",
      R"({ path_prefix = "/svc", cluster = "backend", prefix_rewrite = "/" })",
      R"({ prefix = "/", cluster = "backend" })",
  };
  ASSERT_TRUE(start(config));

  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  struct Case {
    std::string sent, upstream;
  };
  for (const Case& k : std::vector<Case>{{"/api/users?a=1&b=2", "/v2/users?a=1&b=2"},
                                         {"/api/", "/v2/"},
                                         {"/svc/x/y", "/x/y"},
                                         {"/svc", "/"},
                                         {"/svcx", "/svcx"},
                                         {"/other?q", "/other?q"}}) {
    size_t before = upstream.request_count();
    HttpMessage r = c.round_trip(get_request(k.sent), soon());
    ASSERT_TRUE(has_status(r, 200)) << k.sent;
    EXPECT_EQ(r.body, "up " + k.upstream) << "sent " << k.sent;
    auto seen = upstream.wait_requests(before + 1, soon());
    ASSERT_TRUE(seen);
    EXPECT_EQ((*seen)[before].message.target, k.upstream) << "sent " << k.sent;
  }
}

TEST_F(RoutingTest, WeightedClustersSplitTraffic) {
  constexpr int kRequests = 400;
  HttpUpstream heavy(named("heavy")), light(named("light"));
  HttpProxyConfig config;
  config.listen_port = listen_port_;
  config.virtual_hosts = {{"all",
                           {"*"},
                           {R"({ prefix = "/", clusters = [{ name = "heavy", weight = 90 }, )"
                            R"({ name = "light", weight = 10 }] })"}}};
  config.clusters = {{"heavy", {heavy.port()}, {}}, {"light", {light.port()}, {}}};
  ASSERT_TRUE(start(config));

  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < kRequests; ++i) {
    HttpMessage r = c.round_trip(get_request("/w"), soon());
    ASSERT_TRUE(has_status(r, 200)) << "request " << i;
  }
  // Expected 360 / 40 (standard deviation 6): the bounds are more than 4 deviations wide.
  EXPECT_EQ(heavy.request_count() + light.request_count(), static_cast<size_t>(kRequests));
  EXPECT_GE(light.request_count(), 15u);
  EXPECT_LE(light.request_count(), 70u);
}

}  // namespace
}  // namespace ringress::test
