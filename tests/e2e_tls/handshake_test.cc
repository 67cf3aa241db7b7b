// What the handshake of a TLS listener negotiates, seen through openssl s_client and curl: the
// certificate picked by SNI (exact names, then wildcards, else the first certificate), ALPN, the
// protocol versions allowed by min_version / max_version, and the ciphers and curves settings.
#include <gtest/gtest.h>

#include "tests/e2e_tls/tls_test.h"

namespace ringress::test {
namespace {

class HandshakeTest : public TlsTest {
 protected:
  // An https listener with certificates a.test (the default), b.test (RSA) and *.wild.test.
  void start_https(const std::string& tls_extra = "") {
    std::string tls = listener_tls({pki().a_ecdsa, pki().b_rsa, pki().wildcard}, tls_extra);
    std::string toml = runtime_toml() + http_listener("https", port_, tls, "backend") +
                       cluster_toml("backend", {upstream_.port()});
    ASSERT_TRUE(start_proxy(proxy_, toml, {port_}));
  }

  // The subject of the certificate the listener shows for `args` (-servername ...), after a
  // handshake that must succeed and verify against the test CA.
  std::string subject_for(const std::vector<std::string>& args) {
    CommandResult r = s_client(port_, args);
    EXPECT_TRUE(r.success()) << r.describe() << "\n" << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "Verify return code: 0 (ok)")) << r.out;
    return line_after(r.out, "subject=");
  }

  HttpUpstream upstream_{reply_with("ok\n")};
  const uint16_t port_ = free_port();
  ProxyProcess proxy_;
};

TEST_F(HandshakeTest, SniPicksExactName) {
  start_https();
  if (HasFatalFailure()) return;
  EXPECT_EQ(subject_for({"-servername", "b.test"}), "CN = b.test");
  EXPECT_EQ(subject_for({"-servername", "a.test"}), "CN = a.test");
  // Server names are compared without case.
  EXPECT_EQ(subject_for({"-servername", "B.Test"}), "CN = b.test");
  // The RSA certificate works with curl too (ECDHE-RSA).
  CurlResult r = curl_https("b.test", port_, "/", {"--tls-max", "1.2"});
  EXPECT_EQ(r.http_code, 200) << r.describe();
  EXPECT_EQ(r.ssl_verify_result, 0) << r.describe();
  EXPECT_EQ(r.body, "ok\n");
}

TEST_F(HandshakeTest, SniPicksWildcard) {
  start_https();
  if (HasFatalFailure()) return;
  EXPECT_EQ(subject_for({"-servername", "x.wild.test"}), "CN = *.wild.test");
  CurlResult r = curl_https("api.wild.test", port_, "/");
  EXPECT_EQ(r.http_code, 200) << r.describe();
  EXPECT_EQ(r.ssl_verify_result, 0) << r.describe();
  // A wildcard covers one label only: deeper names get the default certificate.
  EXPECT_EQ(subject_for({"-servername", "a.b.wild.test"}), "CN = a.test");
}

TEST_F(HandshakeTest, NoOrUnknownSniGetsFirstCertificate) {
  start_https();
  if (HasFatalFailure()) return;
  EXPECT_EQ(subject_for({"-noservername"}), "CN = a.test");
  EXPECT_EQ(subject_for({"-servername", "unknown.test"}), "CN = a.test");
  EXPECT_EQ(subject_for({"-servername", "wild.test"}), "CN = a.test");
}

TEST_F(HandshakeTest, AlpnHttp11) {
  start_https();
  if (HasFatalFailure()) return;
  CommandResult r = s_client(port_, {"-servername", "a.test", "-alpn", "http/1.1"});
  EXPECT_TRUE(r.success()) << r.describe() << r.err;
  EXPECT_EQ(line_after(r.out, "ALPN protocol: "), "http/1.1") << r.out;
  // The server picks http/1.1 out of a list that prefers h2.
  r = s_client(port_, {"-servername", "a.test", "-alpn", "h2,http/1.1"});
  EXPECT_TRUE(r.success()) << r.describe() << r.err;
  EXPECT_EQ(line_after(r.out, "ALPN protocol: "), "http/1.1") << r.out;
  // No ALPN offered: the handshake works, nothing negotiated.
  r = s_client(port_, {"-servername", "a.test"});
  EXPECT_TRUE(r.success()) << r.describe() << r.err;
  EXPECT_TRUE(contains(r.out, "No ALPN negotiated")) << r.out;
}

TEST_F(HandshakeTest, AlpnH2OnlyIsRefused) {
  start_https();
  if (HasFatalFailure()) return;
  for (const char* version : {"-tls1_2", "-tls1_3"}) {
    CommandResult r = s_client(port_, {"-servername", "a.test", "-alpn", "h2", version});
    EXPECT_TRUE(r.finished) << r.describe();
    EXPECT_FALSE(r.success()) << version << ": the handshake succeeded\n" << r.out;
    EXPECT_TRUE(contains(r.err, "alert no application protocol")) << version << "\n" << r.err;
    EXPECT_FALSE(contains(r.out, "subject=")) << r.out;
  }
  EXPECT_EQ(upstream_.accepted(), 0u);
}

TEST_F(HandshakeTest, Tls11IsRefused) {
  start_https();
  if (HasFatalFailure()) return;
  // SECLEVEL=0 lets this OpenSSL offer TLS 1.1 at all, so the refusal is the proxy's.
  CommandResult r =
      s_client(port_, {"-servername", "a.test", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"});
  EXPECT_TRUE(r.finished) << r.describe();
  EXPECT_FALSE(r.success()) << r.out;
  EXPECT_TRUE(contains(r.err, "alert protocol version")) << r.err;
  r = s_client(port_, {"-servername", "a.test", "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"});
  EXPECT_FALSE(r.success()) << r.out;
  EXPECT_TRUE(contains(r.err, "alert protocol version")) << r.err;

  CurlResult c = curl_https("a.test", port_, "/",
                            {"--tlsv1.0", "--tls-max", "1.1", "--ciphers", "DEFAULT:@SECLEVEL=0"});
  EXPECT_EQ(c.exit_code, 35) << c.describe();
  EXPECT_EQ(c.http_code, 0) << c.describe();

  // TLS 1.2 and 1.3 are accepted by default.
  r = s_client(port_, {"-servername", "a.test", "-tls1_2"});
  EXPECT_TRUE(r.success()) << r.err;
  EXPECT_TRUE(contains(r.out, "New, TLSv1.2, Cipher is ")) << r.out;
  r = s_client(port_, {"-servername", "a.test"});
  EXPECT_TRUE(r.success()) << r.err;
  EXPECT_TRUE(contains(r.out, "New, TLSv1.3, Cipher is ")) << r.out;
  EXPECT_EQ(upstream_.accepted(), 0u);
}

TEST_F(HandshakeTest, MinVersion13RefusesTls12) {
  start_https(", min_version = \"1.3\"");
  if (HasFatalFailure()) return;
  CurlResult c = curl_https("a.test", port_, "/", {"--tls-max", "1.2"});
  EXPECT_EQ(c.exit_code, 35) << c.describe();
  EXPECT_EQ(c.http_code, 0) << c.describe();
  CommandResult r = s_client(port_, {"-servername", "a.test", "-tls1_2"});
  EXPECT_FALSE(r.success()) << r.out;
  EXPECT_TRUE(contains(r.err, "alert protocol version")) << r.err;

  c = curl_https("a.test", port_, "/", {"--tlsv1.3"});
  EXPECT_EQ(c.http_code, 200) << c.describe();
  EXPECT_EQ(c.body, "ok\n");
  EXPECT_EQ(upstream_.request_count(), 1u);
}

// max_version = "1.2" is a valid setting: the listener starts and negotiates TLS 1.2 only.
TEST_F(HandshakeTest, MaxVersion12NegotiatesTls12) {
  start_https(", max_version = \"1.2\"");
  if (HasFatalFailure()) return;
  CommandResult r = s_client(port_, {"-servername", "a.test"});
  EXPECT_TRUE(r.success()) << r.err;
  EXPECT_TRUE(contains(r.out, "New, TLSv1.2, Cipher is ")) << r.out;
  r = s_client(port_, {"-servername", "a.test", "-tls1_3"});
  EXPECT_FALSE(r.success()) << r.out;
  // wolfSSL finds no TLS 1.2 suite among a TLS 1.3-only client's before it looks at versions.
  EXPECT_TRUE(contains(r.err, "alert protocol version") ||
              contains(r.err, "alert handshake failure"))
      << r.err;
}

TEST_F(HandshakeTest, CiphersRestrictTls12Suites) {
  start_https(", ciphers = \"ECDHE-ECDSA-AES256-GCM-SHA384\"");
  if (HasFatalFailure()) return;
  CommandResult r = s_client(port_, {"-servername", "a.test", "-tls1_2"});
  EXPECT_TRUE(r.success()) << r.err;
  EXPECT_TRUE(contains(r.out, "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384")) << r.out;
  r = s_client(port_,
               {"-servername", "a.test", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"});
  EXPECT_FALSE(r.success()) << r.out;
  EXPECT_TRUE(contains(r.err, "alert handshake failure")) << r.err;
}

TEST_F(HandshakeTest, CurvesRestrictTls13KeyExchange) {
  start_https(", curves = \"P-384\"");
  if (HasFatalFailure()) return;
  CommandResult r = s_client(port_, {"-servername", "a.test", "-tls1_3"});
  EXPECT_TRUE(r.success()) << r.err;
  EXPECT_EQ(line_after(r.out, "Server Temp Key: "), "ECDH, secp384r1, 384 bits") << r.out;
  r = s_client(port_, {"-servername", "a.test", "-tls1_3", "-curves", "X25519:P-256"});
  EXPECT_FALSE(r.success()) << r.out;
}

// The same setting holds for TLS 1.2 ECDHE: a client offering X25519, P-256 and P-384 gets
// P-384. A TLS 1.2 client that offers none of the listener's curves gets the curve of the ECDSA
// certificate (wolfSSL's fallback; docs/configuration.md says so).
TEST_F(HandshakeTest, CurvesRestrictTls12KeyExchange) {
  start_https(", curves = \"P-384\"");
  if (HasFatalFailure()) return;
  CommandResult r = s_client(port_, {"-servername", "a.test", "-tls1_2"});
  EXPECT_TRUE(r.success()) << r.err;
  EXPECT_EQ(line_after(r.out, "Server Temp Key: "), "ECDH, secp384r1, 384 bits")
      << "curves = \"P-384\", TLS 1.2 client offering X25519:P-256:P-384";
  r = s_client(port_, {"-servername", "a.test", "-tls1_2", "-curves", "X25519:P-256"});
  EXPECT_TRUE(r.success()) << r.err;
  EXPECT_EQ(line_after(r.out, "Server Temp Key: "), "ECDH, prime256v1, 256 bits") << r.out;
}

}  // namespace
}  // namespace ringress::test
