// Client certificates on a TLS listener: required (client_ca) refuses clients without a
// certificate or with one from another CA; optional lets clients without one in; and
// forward_client_cert tells the upstream who the client is in X-Forwarded-Client-Cert, while a
// client's own X-Forwarded-Client-Cert never gets through a TLS listener.
#include <gtest/gtest.h>

#include "tests/e2e_tls/tls_test.h"

namespace ringress::test {
namespace {

class MtlsTest : public TlsTest {
 protected:
  void start_https(const std::string& tls_extra) {
    std::string toml =
        runtime_toml() +
        http_listener("https", port_, listener_tls({pki().a_ecdsa}, tls_extra), "backend") +
        cluster_toml("backend", {upstream_.port()});
    ASSERT_TRUE(start_proxy(proxy_, toml, {port_}));
  }
  std::string client_ca() const { return ", client_ca = " + toml_string(pki().ca_cert); }
  std::vector<std::string> with_cert(const CertFiles& cert,
                                     std::vector<std::string> more = {}) const {
    std::vector<std::string> args{"--cert", cert.cert, "--key", cert.key};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }
  // curl options for exactly TLS `version` ("1.2" or "1.3").
  static std::vector<std::string> only_tls(const std::string& version) {
    return {"--tlsv" + version, "--tls-max", version};
  }
  // The X-Forwarded-Client-Cert fields of the upstream's request number `index`.
  std::vector<std::string> xfcc_of(size_t index) {
    auto seen = upstream_.wait_requests(index + 1, soon());
    if (!seen) {
      ADD_FAILURE() << "the upstream did not get request " << index;
      return {};
    }
    std::vector<std::string> values;
    for (const auto& [name, value] : (*seen)[index].message.headers.fields)
      if (iequals(name, "X-Forwarded-Client-Cert")) values.push_back(value);
    return values;
  }
  // The SHA-256 of the DER form of the certificate in `pem`, in lowercase hex, by openssl.
  std::string der_sha256(const std::string& pem) {
    CommandResult der =
        run_command({"openssl", "x509", "-in", pem, "-outform", "DER", "-out", scratch("c.der")});
    EXPECT_TRUE(der.success()) << der.err;
    CommandResult digest = run_command({"openssl", "dgst", "-sha256", "-r", scratch("c.der")});
    EXPECT_TRUE(digest.success()) << digest.err;
    return digest.out.substr(0, digest.out.find(' '));
  }

  HttpUpstream upstream_{reply_with("ok\n")};
  const uint16_t port_ = free_port();
  ProxyProcess proxy_;
};

TEST_F(MtlsTest, RequiredRefusesClientWithoutCertificate) {
  start_https(client_ca());
  if (HasFatalFailure()) return;
  // TLS 1.3: the server's certificate_required alert arrives after curl's handshake is done.
  CurlResult r = curl_https("a.test", port_, "/", {"--tlsv1.3"});
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.http_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.run.err, "alert certificate required")) << r.describe();
  r = curl_https("a.test", port_, "/", {"--tls-max", "1.2"});
  EXPECT_EQ(r.exit_code, 35) << r.describe();
  EXPECT_EQ(r.http_code, 0) << r.describe();
  EXPECT_EQ(upstream_.accepted(), 0u);
}

TEST_F(MtlsTest, RequiredAcceptsClientCertificate) {
  start_https(client_ca());
  if (HasFatalFailure()) return;
  for (const char* version : {"1.2", "1.3"}) {
    CurlResult r = curl_https("a.test", port_, "/", with_cert(pki().client, only_tls(version)));
    EXPECT_EQ(r.exit_code, 0) << version << ": " << r.describe();
    EXPECT_EQ(r.http_code, 200) << version << ": " << r.describe();
    EXPECT_EQ(r.body, "ok\n");
  }
  EXPECT_EQ(upstream_.request_count(), 2u);
  // Without forward_client_cert nothing about the certificate goes upstream.
  EXPECT_EQ(xfcc_of(0), std::vector<std::string>{});
}

TEST_F(MtlsTest, RequiredRefusesCertificateFromOtherCa) {
  start_https(client_ca());
  if (HasFatalFailure()) return;
  for (const char* version : {"1.2", "1.3"}) {
    CurlResult r =
        curl_https("a.test", port_, "/", with_cert(pki().other_client, only_tls(version)));
    EXPECT_NE(r.exit_code, 0) << version << ": " << r.describe();
    EXPECT_EQ(r.http_code, 0) << version << ": " << r.describe();
    EXPECT_TRUE(contains(r.run.err, "alert unknown ca")) << version << ": " << r.describe();
  }
  EXPECT_EQ(upstream_.accepted(), 0u);
}

TEST_F(MtlsTest, OptionalAcceptsClientWithoutCertificate) {
  start_https(client_ca() + ", client_certificate = \"optional\", forward_client_cert = true");
  if (HasFatalFailure()) return;
  CurlResult r = curl_https("a.test", port_, "/", {"-H", "X-Forwarded-Client-Cert: Hash=forged"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.http_code, 200) << r.describe();
  // No certificate: no X-Forwarded-Client-Cert at all, the forged one removed.
  EXPECT_EQ(xfcc_of(0), std::vector<std::string>{});

  r = curl_https("a.test", port_, "/", with_cert(pki().client));
  EXPECT_EQ(r.http_code, 200) << r.describe();
  std::vector<std::string> xfcc = xfcc_of(1);
  ASSERT_EQ(xfcc.size(), 1u);
  EXPECT_TRUE(xfcc[0].starts_with("Hash=")) << xfcc[0];

  // A certificate that does not verify is still refused.
  r = curl_https("a.test", port_, "/", with_cert(pki().other_client));
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.http_code, 0) << r.describe();
  EXPECT_EQ(upstream_.request_count(), 2u);
}

TEST_F(MtlsTest, ForwardClientCertHashAndUri) {
  start_https(client_ca() + ", forward_client_cert = true");
  if (HasFatalFailure()) return;
  const std::string hash = der_sha256(pki().client.cert);
  ASSERT_EQ(hash.size(), 64u) << hash;
  CurlResult r =
      curl_https("a.test", port_, "/",
                 with_cert(pki().client, {"-H", "X-Forwarded-Client-Cert: Hash=forged"}));
  ASSERT_EQ(r.http_code, 200) << r.describe();
  std::vector<std::string> xfcc = xfcc_of(0);
  ASSERT_EQ(xfcc.size(), 1u) << "the client's own header must be dropped";
  const std::string& value = xfcc[0];
  EXPECT_TRUE(value.starts_with("Hash=" + hash + ";Subject=\"")) << value;
  EXPECT_TRUE(value.ends_with("\";URI=spiffe://test/client-one")) << value;
  EXPECT_FALSE(contains(value, "forged")) << value;
  EXPECT_FALSE(contains(value, "DNS=")) << value;
}

// The Subject is in RFC 2253 form, as Envoy writes it and as tls/peer_certificate.h documents
// it (Subject="CN=...,O=..."): RDNs most specific first, separated by a bare comma.
TEST_F(MtlsTest, ForwardClientCertSubjectIsRfc2253) {
  start_https(client_ca() + ", forward_client_cert = true");
  if (HasFatalFailure()) return;
  const std::string hash = der_sha256(pki().client.cert);
  CurlResult r = curl_https("a.test", port_, "/", with_cert(pki().client));
  ASSERT_EQ(r.http_code, 200) << r.describe();
  // openssl's own RFC 2253 rendering of the same subject.
  CommandResult subject = run_command(
      {"openssl", "x509", "-in", pki().client.cert, "-noout", "-subject", "-nameopt", "RFC2253"});
  ASSERT_TRUE(subject.success()) << subject.err;
  EXPECT_EQ(subject.out, "subject=CN=client-one,O=ringress-tests\n");
  EXPECT_EQ(xfcc_of(0), std::vector<std::string>{"Hash=" + hash +
                                                 ";Subject=\"CN=client-one,O=ringress-tests\""
                                                 ";URI=spiffe://test/client-one"});
}

// Even without client certificates a TLS listener drops a client's X-Forwarded-Client-Cert.
TEST_F(MtlsTest, ClientSuppliedXfccIsDroppedWithoutMtls) {
  start_https("");
  if (HasFatalFailure()) return;
  CurlResult r = curl_https("a.test", port_, "/",
                            {"-H", "X-Forwarded-Client-Cert: Hash=forged;Subject=\"CN=admin\""});
  ASSERT_EQ(r.http_code, 200) << r.describe();
  EXPECT_EQ(xfcc_of(0), std::vector<std::string>{});
}

}  // namespace
}  // namespace ringress::test
