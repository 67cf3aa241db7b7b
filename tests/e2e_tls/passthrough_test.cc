// SNI passthrough: tcp listeners without a tls table route each client by the server name in its
// ClientHello and forward every byte untouched, so the client does its TLS handshake with the
// backend itself. The backends are three TLS listeners of a second ringress (a.test, b.test and
// localhost certificates), each in front of its own scripted upstream.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/e2e_tls/tls_test.h"

namespace ringress::test {
namespace {

class PassthroughTest : public TlsTest {
 protected:
  void SetUp() override {
    TlsTest::SetUp();
    if (HasFatalFailure()) return;
    std::string backends =
        runtime_toml() + http_listener("a", port_a_, listener_tls({pki().a_ecdsa}), "ua") +
        http_listener("b", port_b_, listener_tls({pki().b_rsa}), "ub") +
        http_listener("fallback", port_f_, listener_tls({pki().localhost}), "uf") +
        cluster_toml("ua", {upstream_a_.port()}) + cluster_toml("ub", {upstream_b_.port()}) +
        cluster_toml("uf", {upstream_f_.port()});
    ASSERT_TRUE(start_proxy(backends_, backends, {port_a_, port_b_, port_f_}));

    const std::string routes =
        "sni_routes = [{ server_names = [\"a.test\"], cluster = \"ca\" }, "
        "{ server_names = [\"b.test\", \"*.wild.test\"], cluster = \"cb\" }]";
    std::string pass = runtime_toml() + tcp_listener("pass", pass_port_, {routes}) +
                       tcp_listener("pass-default", default_port_, {routes, "cluster = \"cf\""}) +
                       cluster_toml("ca", {port_a_}) + cluster_toml("cb", {port_b_}) +
                       cluster_toml("cf", {port_f_});
    ASSERT_TRUE(start_proxy(pass_, pass, {pass_port_, default_port_}));
  }

  HttpUpstream upstream_a_{reply_with("backend a\n")};
  HttpUpstream upstream_b_{reply_with("backend b\n")};
  HttpUpstream upstream_f_{reply_with("backend fallback\n")};
  const uint16_t port_a_ = free_port(), port_b_ = free_port(), port_f_ = free_port();
  const uint16_t pass_port_ = free_port(), default_port_ = free_port();
  ProxyProcess backends_;
  ProxyProcess pass_;
};

TEST_F(PassthroughTest, RoutesByServerName) {
  CurlResult r = curl_https("a.test", pass_port_, "/");
  EXPECT_EQ(r.http_code, 200) << r.describe();
  EXPECT_EQ(r.ssl_verify_result, 0) << r.describe();
  EXPECT_EQ(r.body, "backend a\n");
  r = curl_https("b.test", pass_port_, "/", {"--tls-max", "1.2"});
  EXPECT_EQ(r.http_code, 200) << r.describe();
  EXPECT_EQ(r.ssl_verify_result, 0) << r.describe();
  EXPECT_EQ(r.body, "backend b\n");
  r = curl_https("a.test", pass_port_, "/again", {"--tls-max", "1.2"});
  EXPECT_EQ(r.body, "backend a\n") << r.describe();
  EXPECT_EQ(upstream_a_.request_count(), 2u);
  EXPECT_EQ(upstream_b_.request_count(), 1u);
  EXPECT_EQ(upstream_f_.request_count(), 0u);
  // The backends saw TLS (their upstreams get X-Forwarded-Proto: https).
  EXPECT_EQ(upstream_b_.requests()[0].message.header("X-Forwarded-Proto"), "https");
}

// The client gets the backend's own certificate, byte for byte: the passthrough listener has no
// certificate at all, it forwards the handshake untouched.
TEST_F(PassthroughTest, ClientSeesBackendCertificate) {
  for (const char* name : {"b.test", "x.wild.test"}) {
    CommandResult r = s_client(pass_port_, {"-servername", name, "-showcerts"});
    EXPECT_TRUE(r.success()) << name << ": " << r.describe() << "\n" << r.out << r.err;
    EXPECT_EQ(line_after(r.out, "subject="), "CN = b.test") << name;
    EXPECT_EQ(pem_certificates(r.out), pem_certificates(read_text_file(pki().b_rsa.cert))) << name;
  }
  CommandResult r = s_client(pass_port_, {"-servername", "a.test", "-showcerts"});
  EXPECT_EQ(pem_certificates(r.out), pem_certificates(read_text_file(pki().a_ecdsa.cert)));
}

TEST_F(PassthroughTest, UnknownNameIsClosedWithoutDefault) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"-servername", "unknown.test"},
        std::vector<std::string>{"-noservername"}}) {
    CommandResult r = s_client(pass_port_, args);
    EXPECT_TRUE(r.finished) << r.describe();
    EXPECT_FALSE(r.success()) << args[0] << ": the handshake succeeded\n" << r.out;
    EXPECT_TRUE(contains(r.out, "no peer certificate available")) << r.out;
  }
  // A client that is not TLS at all: closed, nothing sent back.
  HttpClient c(pass_port_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(get_request("/"), soon()).ok());
  std::string extra;
  IoResult closed = c.wait_closed(soon(), &extra);
  EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
      << closed.describe();
  EXPECT_EQ(extra, "");
  EXPECT_EQ(upstream_a_.accepted() + upstream_b_.accepted() + upstream_f_.accepted(), 0u);
  EXPECT_TRUE(contains(pass_.log(), "no sni_routes entry for server name \"unknown.test\""))
      << pass_.log();
}

TEST_F(PassthroughTest, DefaultClusterTakesUnmatchedNames) {
  CurlResult r = curl_https("localhost", default_port_, "/");
  EXPECT_EQ(r.http_code, 200) << r.describe();
  EXPECT_EQ(r.ssl_verify_result, 0) << r.describe();
  EXPECT_EQ(r.body, "backend fallback\n");
  CommandResult s = s_client(default_port_, {"-servername", "unknown.test"});
  EXPECT_EQ(line_after(s.out, "subject="), "CN = localhost") << s.out << s.err;
  s = s_client(default_port_, {"-noservername"});
  EXPECT_EQ(line_after(s.out, "subject="), "CN = localhost") << s.out << s.err;
  // Listed names still go to their own clusters.
  r = curl_https("a.test", default_port_, "/");
  EXPECT_EQ(r.body, "backend a\n") << r.describe();
  EXPECT_EQ(upstream_f_.request_count(), 1u);
  EXPECT_EQ(upstream_a_.request_count(), 1u);
}

// A client that does not speak TLS goes to the default cluster with its bytes untouched: the
// fallback backend, a TLS http listener, answers them with its plain-HTTP 400.
TEST_F(PassthroughTest, NonTlsClientGoesToDefaultCluster) {
  HttpClient c(default_port_);
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(get_request("/plain"), soon());
  ASSERT_TRUE(has_status(r, 400));
  EXPECT_EQ(r.body, "This port speaks TLS: use https:// to connect.\n");
  EXPECT_EQ(r.header("Connection"), "close");
  IoResult closed = c.wait_closed(soon());
  EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
      << closed.describe();
  // The backend's worker writes that line around the time it closes: wait for it.
  const Deadline by = soon();
  while (!contains(backends_.log(), "sent plain HTTP to a TLS port") && Clock::now() < by)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(contains(backends_.log(), "sent plain HTTP to a TLS port")) << backends_.log();
}

}  // namespace
}  // namespace ringress::test
