// TLS origination: a plain http listener whose cluster speaks TLS to its endpoints. Against
// `openssl s_server -www`: the verified handshake works, and a wrong CA, a wrong name or an
// expired certificate give a 503 naming the reason, unless verify = false. Against a second
// ringress with a TLS listener (keep-alive capable): requests share one pooled TLS connection, a
// new connection resumes the session, and 5 MiB bodies cross both TLS hops unchanged.
#include <gtest/gtest.h>

#include "tests/e2e_tls/tls_test.h"
#include "tests/support/digest.h"
#include "tests/support/pattern.h"

namespace ringress::test {
namespace {

class OriginationTest : public TlsTest {
 protected:
  // Proxy A: a plain http listener forwarding to cluster "secure" = 127.0.0.1:`upstream_port`
  // with `cluster_lines` (its tls table and more).
  void start_front(uint16_t upstream_port, const std::vector<std::string>& cluster_lines) {
    std::string toml = runtime_toml() + http_listener("plain", front_port_, "", "secure") +
                       cluster_toml("secure", {upstream_port}, cluster_lines);
    ASSERT_TRUE(start_proxy(front_, toml, {front_port_}));
  }
  std::string ca(const std::string& path) const { return "ca = " + toml_string(path); }
  HttpMessage get(const std::string& target) {
    HttpClient c(front_port_);
    EXPECT_TRUE(c.connected());
    return c.round_trip(get_request(target), soon());
  }

  const uint16_t front_port_ = free_port();
  ProxyProcess front_;
};

// ---- Against openssl s_server ----

class OriginationToOpensslTest : public OriginationTest {
 protected:
  void start_server(const CertFiles& cert) {
    ASSERT_TRUE(start_s_server(server_, server_port_, cert));
  }
  // Asserts the 503 local reply for a failed upstream handshake with `reason`.
  void expect_handshake_failure(const std::string& reason) {
    HttpMessage r = get("/");
    ASSERT_TRUE(has_status(r, 503));
    EXPECT_EQ(r.header("Content-Type"), "text/plain");
    EXPECT_EQ(r.body, "upstream TLS handshake failed: " + reason + "\n");
    EXPECT_EQ(r.header("Content-Length"), std::to_string(r.body.size()));
  }

  const uint16_t server_port_ = free_port();
  ChildProcess server_;
};

TEST_F(OriginationToOpensslTest, VerifiedHandshake) {
  start_server(pki().localhost);
  if (HasFatalFailure()) return;
  start_front(server_port_, {"tls = { " + ca(pki().ca_cert) + ", server_name = \"localhost\" }"});
  if (HasFatalFailure()) return;
  HttpMessage r = get("/");
  ASSERT_TRUE(has_status(r, 200));
  // s_server -www answers with a page describing the connection it saw.
  EXPECT_TRUE(r.body.starts_with("<HTML><BODY BGCOLOR=\"#ffffff\">\n<pre>\n")) << r.describe();
  EXPECT_TRUE(contains(r.body, "Protocol  : TLSv1.3")) << r.body;
  EXPECT_TRUE(r.body.ends_with("</pre></BODY></HTML>\r\n\r\n")) << r.body;
}

TEST_F(OriginationToOpensslTest, MaxVersion12IsUsed) {
  start_server(pki().localhost);
  if (HasFatalFailure()) return;
  start_front(server_port_, {"tls = { " + ca(pki().ca_cert) +
                             ", server_name = \"localhost\", max_version = \"1.2\" }"});
  if (HasFatalFailure()) return;
  HttpMessage r = get("/");
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_TRUE(contains(r.body, "Protocol  : TLSv1.2")) << r.body;
}

TEST_F(OriginationToOpensslTest, WrongCaIs503) {
  start_server(pki().localhost);
  if (HasFatalFailure()) return;
  start_front(server_port_,
              {"tls = { " + ca(pki().other_ca_cert) + ", server_name = \"localhost\" }"});
  if (HasFatalFailure()) return;
  expect_handshake_failure("certificate not signed by a trusted CA");
}

TEST_F(OriginationToOpensslTest, WrongNameIs503) {
  start_server(pki().localhost);
  if (HasFatalFailure()) return;
  start_front(server_port_, {"tls = { " + ca(pki().ca_cert) + ", server_name = \"wrong.test\" }"});
  if (HasFatalFailure()) return;
  expect_handshake_failure("certificate does not match the server name");
}

TEST_F(OriginationToOpensslTest, ExpiredCertificateIs503) {
  start_server(pki().expired);
  if (HasFatalFailure()) return;
  start_front(server_port_,
              {"tls = { " + ca(pki().ca_cert) + ", server_name = \"expired.test\" }"});
  if (HasFatalFailure()) return;
  expect_handshake_failure("certificate has expired");
}

TEST_F(OriginationToOpensslTest, VerifyFalseAcceptsWrongCa) {
  start_server(pki().localhost);
  if (HasFatalFailure()) return;
  start_front(server_port_, {"tls = { " + ca(pki().other_ca_cert) + ", verify = false }"});
  if (HasFatalFailure()) return;
  HttpMessage r = get("/");
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_TRUE(contains(r.body, "Protocol  : TLSv1.3")) << r.body;
}

// ---- Against a second ringress terminating TLS ----

class OriginationToRingressTest : public OriginationTest {
 protected:
  // Proxy B: an https listener (a.test) in front of upstream_; every request it forwards
  // carries the port of the connection it came on (so the upstream tells A's TLS connections
  // apart). Then proxy A with cluster "secure" = B and `tls_extra` in its tls table.
  void start_both(const std::string& tls_extra = "",
                  const std::vector<std::string>& cluster_lines = {}) {
    std::string toml =
        runtime_toml() +
        http_listener("https", back_port_, listener_tls({pki().a_ecdsa}), "backend",
                      "request_headers = { set = { \"X-Client-Port\" = \"%CLIENT_PORT%\" } }") +
        cluster_toml("backend", {upstream_.port()});
    ASSERT_TRUE(start_proxy(back_, toml, {back_port_}));
    std::vector<std::string> lines{"tls = { " + ca(pki().ca_cert) + ", server_name = \"a.test\"" +
                                   tls_extra + " }"};
    lines.insert(lines.end(), cluster_lines.begin(), cluster_lines.end());
    start_front(back_port_, lines);
  }
  // The X-Client-Port of every request the upstream saw (after waiting for `n`).
  std::vector<std::string> client_ports(size_t n) {
    std::vector<std::string> ports;
    auto seen = upstream_.wait_requests(n, soon());
    if (!seen) {
      ADD_FAILURE() << "the upstream saw " << upstream_.request_count() << " requests, not " << n;
      return ports;
    }
    for (const UpstreamRequest& r : *seen)
      ports.push_back(r.message.header("X-Client-Port").value_or("none"));
    return ports;
  }
  // Three requests through A, each on a new TLS connection to B (the pooled one idles out in
  // between): the second and third resume the session of the one before.
  void check_resumption(const std::string& version) {
    start_both(", max_version = " + toml_string(version), {"idle_timeout = \"100ms\""});
    if (HasFatalFailure()) return;
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(has_status(get("/resume/" + std::to_string(i)), 200));
      std::this_thread::sleep_for(milliseconds(300));  // the pooled connection idles out
    }
    std::vector<std::string> ports = client_ports(3);
    ASSERT_EQ(ports.size(), 3u);
    EXPECT_NE(ports[0], ports[1]);
    EXPECT_NE(ports[1], ports[2]);
    stop_both();
    EXPECT_TRUE(contains(front_.log(), "cluster secure: 3 TLS handshakes, 2 resumed, 0 failed"))
        << front_.log();
    EXPECT_TRUE(contains(back_.log(), "tls listeners: 3 handshakes (2 resumed), 0 failed"))
        << back_.log();
  }
  // Stops both proxies; their logs then end with their counters.
  void stop_both() {
    EXPECT_TRUE(front_.terminate(stretched(seconds(10))));
    EXPECT_TRUE(back_.terminate(stretched(seconds(10))));
  }

  static constexpr uint64_t kDownloadSeed = 82;
  static uint64_t download_size() { return scaled_bytes(5 << 20); }
  // GET /download: download_size() bytes of Pattern(kDownloadSeed); else describe_request.
  static UpstreamReply serve(const UpstreamRequest& r) {
    if (r.message.target != "/download") return describe_request(r);
    UpstreamReply reply;
    reply.bytes =
        response_bytes(200, "OK", {{"Content-Length", std::to_string(download_size())}}, "", false);
    reply.pattern_bytes = download_size();
    reply.pattern_seed = kDownloadSeed;
    return reply;
  }

  HttpUpstream upstream_{serve};
  const uint16_t back_port_ = free_port();
  ProxyProcess back_;
};

TEST_F(OriginationToRingressTest, RequestsShareOnePooledTlsConnection) {
  start_both();
  if (HasFatalFailure()) return;
  HttpClient c(front_port_);
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 3; ++i) {
    std::string target = "/keep/" + std::to_string(i);
    HttpMessage r = c.round_trip(get_request(target), soon());
    ASSERT_TRUE(has_status(r, 200));
    EXPECT_EQ(r.body, "GET " + target + " 0");
  }
  // New client connections to A still use the pooled TLS connection to B.
  for (int i = 0; i < 2; ++i) {
    HttpMessage r = get("/new-client/" + std::to_string(i));
    ASSERT_TRUE(has_status(r, 200));
  }
  std::vector<std::string> ports = client_ports(5);
  ASSERT_EQ(ports.size(), 5u);
  for (const std::string& port : ports) EXPECT_EQ(port, ports[0]) << "a second TLS connection";
  const HttpMessage seen = upstream_.requests()[0].message;
  EXPECT_EQ(seen.header("X-Forwarded-Proto"), "https") << seen.describe();

  stop_both();
  EXPECT_TRUE(contains(back_.log(), "tls listeners: 1 handshakes (0 resumed), 0 failed"))
      << back_.log();
  EXPECT_TRUE(contains(front_.log(), "cluster secure: 1 connections opened,")) << front_.log();
  EXPECT_TRUE(contains(front_.log(), "cluster secure: 1 TLS handshakes, 0 resumed, 0 failed"))
      << front_.log();
}

// After the pooled connection idles out, the next one resumes the TLS session (session_reuse is
// on by default).
TEST_F(OriginationToRingressTest, NewConnectionResumesTls13Session) { check_resumption("1.3"); }

TEST_F(OriginationToRingressTest, NewConnectionResumesTls12Session) { check_resumption("1.2"); }

TEST_F(OriginationToRingressTest, SessionReuseOffDoesNotResume) {
  start_both(", session_reuse = false", {"idle_timeout = \"100ms\""});
  if (HasFatalFailure()) return;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(has_status(get("/fresh/" + std::to_string(i)), 200));
    std::this_thread::sleep_for(milliseconds(300));
  }
  stop_both();
  EXPECT_TRUE(contains(front_.log(), "cluster secure: 2 TLS handshakes, 0 resumed, 0 failed"))
      << front_.log();
  EXPECT_TRUE(contains(back_.log(), "tls listeners: 2 handshakes (0 resumed), 0 failed"))
      << back_.log();
}

TEST_F(OriginationToRingressTest, LargeBodiesCrossBothTlsHops) {
  const uint64_t size = download_size();
  constexpr uint64_t kUpSeed = 81;
  start_both();
  if (HasFatalFailure()) return;
  Deadline deadline = deadline_in(stretched(seconds(20)));
  HttpClient c(front_port_);
  ASSERT_TRUE(c.connected());

  const std::string body = pattern_text(kUpSeed, size);
  Digest sent;
  sent.update(body.data(), body.size());
  HttpMessage r =
      c.round_trip(request_bytes("POST", "/upload",
                                 {{"Host", "big"}, {"Content-Length", std::to_string(size)}}, body),
                   deadline);
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "POST /upload " + std::to_string(size));
  auto seen = upstream_.wait_requests(1, soon());
  ASSERT_TRUE(seen);
  EXPECT_EQ((*seen)[0].message.body_size, size);
  EXPECT_EQ((*seen)[0].message.body_digest, sent.value()) << "the request body arrived changed";

  Pattern expected(kDownloadSeed);
  HttpClient::ReadOptions options;
  options.body_sink = [&](const char* data, size_t n) {
    expected.check(reinterpret_cast<const uint8_t*>(data), n);
  };
  r = c.round_trip(get_request("/download"), deadline, options);
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body_size, size);
  EXPECT_FALSE(expected.first_mismatch())
      << "first wrong byte at offset " << *expected.first_mismatch();
}

}  // namespace
}  // namespace ringress::test
