// The headers a proxy manages: X-Forwarded-*, X-Request-Id, Via, hop-by-hop fields and Host
// rewriting, as the upstream (and the client) see them.
#include <regex>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using ProxyHeadersTest = HttpProxyTest;
using Fields = std::vector<std::pair<std::string, std::string>>;

// Sends one GET with `fields` through a fresh connection; returns what the upstream saw.
HttpMessage forwarded(uint16_t port, HttpUpstream& upstream, const Fields& fields,
                      HttpMessage* response = nullptr) {
  size_t before = upstream.request_count();
  HttpClient c(port);
  HttpMessage r = c.round_trip(request_bytes("GET", "/h", fields), soon());
  EXPECT_TRUE(has_status(r, 200));
  if (response) *response = r;
  auto seen = upstream.wait_requests(before + 1, soon());
  if (!seen) return HttpMessage{};
  return (*seen)[before].message;
}

bool is_uuid(const std::string& s) {
  static const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  return std::regex_match(s, uuid);
}

TEST_F(ProxyHeadersTest, ForwardedHeadersFromAnUntrustedClientAreReplaced) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));

  HttpMessage up = forwarded(
      listen_port_, upstream,
      {{"Host", "h"}, {"X-Forwarded-For", "203.0.113.7"}, {"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(up.headers.count("x-forwarded-for"), 1u) << up.describe();
  EXPECT_EQ(up.header("x-forwarded-for"), "127.0.0.1");
  EXPECT_EQ(up.headers.count("x-forwarded-proto"), 1u) << up.describe();
  EXPECT_EQ(up.header("x-forwarded-proto"), "http");

  up = forwarded(listen_port_, upstream, {{"Host", "h"}});
  EXPECT_EQ(up.header("x-forwarded-for"), "127.0.0.1") << up.describe();
  EXPECT_EQ(up.header("x-forwarded-proto"), "http") << up.describe();
}

// X-Forwarded-Client-Cert vouches for a client certificate: a client cannot send its own to a
// plain listener; a trusted proxy (which terminated TLS in front of ringress) can.
const Fields kClientCertFields = {{"Host", "h"},
                                  {"X-Forwarded-Client-Cert", "Hash=00;URI=spiffe://x"}};

TEST_F(ProxyHeadersTest, ClientCertHeaderFromAClientIsRemoved) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpMessage up = forwarded(listen_port_, upstream, kClientCertFields);
  EXPECT_EQ(up.headers.count("x-forwarded-client-cert"), 0u) << up.describe();
}

TEST_F(ProxyHeadersTest, ClientCertHeaderFromATrustedProxyIsKept) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back(R"(trusted_proxies = ["127.0.0.1/32"])");
  ASSERT_TRUE(start(config));
  HttpMessage up = forwarded(listen_port_, upstream, kClientCertFields);
  EXPECT_EQ(up.header("x-forwarded-client-cert"), "Hash=00;URI=spiffe://x") << up.describe();
}

TEST_F(ProxyHeadersTest, ForwardedForFromATrustedProxyIsAppendedTo) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back(R"(trusted_proxies = ["127.0.0.1/32"])");
  ASSERT_TRUE(start(config));

  HttpMessage up = forwarded(listen_port_, upstream,
                             {{"Host", "h"},
                              {"X-Forwarded-For", "203.0.113.7, 10.0.0.1"},
                              {"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(up.headers.count("x-forwarded-for"), 1u) << up.describe();
  EXPECT_EQ(up.header("x-forwarded-for"), "203.0.113.7, 10.0.0.1, 127.0.0.1");
  EXPECT_EQ(up.header("x-forwarded-proto"), "https");

  up = forwarded(listen_port_, upstream, {{"Host", "h"}});
  EXPECT_EQ(up.header("x-forwarded-for"), "127.0.0.1") << up.describe();
  EXPECT_EQ(up.header("x-forwarded-proto"), "http") << up.describe();
}

TEST_F(ProxyHeadersTest, RequestIdIsGeneratedWhenAbsentAndKeptWhenPresent) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));

  HttpMessage first = forwarded(listen_port_, upstream, {{"Host", "h"}});
  HttpMessage second = forwarded(listen_port_, upstream, {{"Host", "h"}});
  ASSERT_EQ(first.headers.count("x-request-id"), 1u) << first.describe();
  std::string id1 = *first.header("x-request-id"), id2 = *second.header("x-request-id");
  EXPECT_TRUE(is_uuid(id1)) << id1;
  EXPECT_TRUE(is_uuid(id2)) << id2;
  EXPECT_NE(id1, id2);

  HttpMessage kept =
      forwarded(listen_port_, upstream, {{"Host", "h"}, {"X-Request-ID", "client-id-42"}});
  EXPECT_EQ(kept.headers.count("x-request-id"), 1u) << kept.describe();
  EXPECT_EQ(kept.header("x-request-id"), "client-id-42");
}

TEST_F(ProxyHeadersTest, ViaIsAddedWhenConfigured) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back(R"(via = "edge-1")");
  ASSERT_TRUE(start(config));

  HttpMessage response;
  HttpMessage up = forwarded(listen_port_, upstream, {{"Host", "h"}}, &response);
  EXPECT_EQ(up.header("via"), "1.1 edge-1") << up.describe();
  EXPECT_EQ(response.header("via"), "1.1 edge-1") << response.describe();

  up = forwarded(listen_port_, upstream, {{"Host", "h"}, {"Via", "1.0 corp-proxy"}});
  EXPECT_EQ(up.headers.count("via"), 1u) << up.describe();
  EXPECT_EQ(up.header("via"), "1.0 corp-proxy, 1.1 edge-1");
}

TEST_F(ProxyHeadersTest, NoViaByDefault) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpMessage response;
  HttpMessage up = forwarded(listen_port_, upstream, {{"Host", "h"}}, &response);
  EXPECT_EQ(up.headers.count("via"), 0u) << up.describe();
  EXPECT_EQ(response.headers.count("via"), 0u) << response.describe();
}

TEST_F(ProxyHeadersTest, HopByHopFieldsAreNotForwarded) {
  HttpUpstream upstream([](const UpstreamRequest& r) {
    UpstreamReply reply;
    reply.bytes = ok_response("hop " + r.message.target, {{"Connection", "keep-alive, X-Up-Hop"},
                                                          {"Keep-Alive", "timeout=5"},
                                                          {"X-Up-Hop", "secret"},
                                                          {"X-Up-End", "kept"}});
    return reply;
  });
  ASSERT_TRUE(start(config_for(upstream.port())));

  HttpMessage response;
  HttpMessage up = forwarded(listen_port_, upstream,
                             {{"Host", "h"},
                              {"Connection", "keep-alive, X-Secret"},
                              {"Keep-Alive", "timeout=5"},
                              {"Proxy-Connection", "keep-alive"},
                              {"TE", "gzip"},
                              {"X-Secret", "s"},
                              {"X-End-To-End", "e"}},
                             &response);
  for (const char* name : {"connection", "keep-alive", "proxy-connection", "te", "x-secret"})
    EXPECT_EQ(up.headers.count(name), 0u) << name << " reached the upstream\n" << up.describe();
  EXPECT_EQ(up.header("x-end-to-end"), "e");
  EXPECT_EQ(up.header("host"), "h");

  for (const char* name : {"keep-alive", "x-up-hop"})
    EXPECT_EQ(response.headers.count(name), 0u) << name << " reached the client\n"
                                                << response.describe();
  EXPECT_EQ(response.header("x-up-end"), "kept");
}

TEST_F(ProxyHeadersTest, TeTrailersIsForwarded) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpMessage up = forwarded(listen_port_, upstream, {{"Host", "h"}, {"TE", "trailers"}});
  EXPECT_EQ(up.header("te"), "trailers") << up.describe();
}

TEST_F(ProxyHeadersTest, HostRewriteSetsHostAndForwardedHost) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port(), R"(host_rewrite = "backend.internal")")));
  HttpMessage up = forwarded(listen_port_, upstream, {{"Host", "public.example.com:8080"}});
  EXPECT_EQ(up.headers.count("host"), 1u) << up.describe();
  EXPECT_EQ(up.header("host"), "backend.internal");
  EXPECT_EQ(up.header("x-forwarded-host"), "public.example.com:8080") << up.describe();
}

// HTTP/1.0 needs no Host, but ringress forwards HTTP/1.1, which does: the authority of an
// absolute-form target, else the upstream endpoint (nginx's $proxy_host). Without one a strict
// upstream answers 400.
TEST_F(ProxyHeadersTest, Http10RequestWithoutHostIsSentWithOne) {
  HttpUpstream upstream(describe_request);
  ASSERT_TRUE(start(config_for(upstream.port())));
  const std::string endpoint = "127.0.0.1:" + std::to_string(upstream.port());
  const std::pair<std::string, std::string> cases[] = {
      {"GET /h HTTP/1.0\r\n\r\n", endpoint},
      {"GET http://www.example.com/h HTTP/1.0\r\n\r\n", "www.example.com"},
      {"GET /h HTTP/1.0\r\nHost: given.example\r\n\r\n", "given.example"},
  };
  for (const auto& [request, host] : cases) {
    const size_t before = upstream.request_count();
    HttpClient c = client();
    ASSERT_TRUE(c.send(request, soon()).ok());
    std::string raw;
    IoResult closed = c.wait_closed(soon(), &raw);
    EXPECT_TRUE(closed.status == IoResult::kEof) << closed.describe();
    EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << raw;
    auto seen = upstream.wait_requests(before + 1, soon());
    ASSERT_TRUE(seen);
    const HttpMessage& up = (*seen)[before].message;
    EXPECT_EQ(up.target, "/h");
    EXPECT_EQ(up.headers.count("host"), 1u) << up.describe();
    EXPECT_EQ(up.header("host"), host) << up.describe();
  }
}

}  // namespace
}  // namespace ringress::test
