// TLS settings that cannot work are config errors at load: `ringress --validate` exits non-zero
// and prints exactly "file:line:col: key.path: message", the line and column of the value at
// fault. Each test changes one thing in an otherwise valid config.
#include <algorithm>

#include <gtest/gtest.h>

#include "tests/e2e_tls/tls_test.h"

namespace ringress::test {
namespace {

class ConfigErrorTest : public TlsTest {
 protected:
  // A valid config: an https listener with `listener_tls` in front of a cluster with
  // `cluster_lines`.
  std::string config(const std::string& listener_tls,
                     const std::vector<std::string>& cluster_lines = {},
                     const std::string& protocol = "http") const {
    std::string text = runtime_toml() + "\n[[listeners]]\nname = \"in\"\n" +
                       "address = \"127.0.0.1:" + std::to_string(kListenPort) + "\"\n" +
                       "protocol = \"" + protocol + "\"\n";
    if (protocol == "tcp") text += "cluster = \"backend\"\n";
    text += "tls = " + listener_tls + "\n";
    if (protocol == "http")
      text +=
          "[[listeners.virtual_hosts]]\ndomains = [\"*\"]\n"
          "routes = [{ prefix = \"/\", cluster = \"backend\" }]\n";
    return text + cluster_toml("backend", {kUpstreamPort}, cluster_lines);
  }
  std::string good_tls(const std::string& extra = "") const {
    return listener_tls({pki().a_ecdsa}, extra);
  }

  // Validates `toml` and asserts the one error line: at the `skip`-th character of the first
  // occurrence of `needle`, `key`: `message`.
  void expect_error(const std::string& toml, const std::string& needle, size_t skip,
                    const std::string& key, const std::string& message) {
    size_t at = toml.find(needle);
    ASSERT_NE(at, std::string::npos) << needle << " not in\n" << toml;
    at += skip;
    size_t line_start = toml.rfind('\n', at);
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    size_t line = 1 + static_cast<size_t>(std::count(toml.begin(), toml.begin() + at, '\n'));
    size_t column = at - line_start + 1;

    std::string path;
    RunResult run = validate_config(toml, &path);
    ASSERT_TRUE(run.status) << "--validate did not finish in 10 s";
    EXPECT_TRUE(run.status->exited()) << run.status->describe();
    EXPECT_EQ(run.status->code(), 1) << "stdout:\n" << run.out << "stderr:\n" << run.err;
    EXPECT_EQ(run.err, path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                           key + ": " + message + "\n")
        << "config:\n"
        << toml;
  }

  // Free ports, in case a config meant to fail were accepted and started.
  const uint16_t kListenPort = free_port(), kUpstreamPort = free_port();
};

// The base config the other tests break is valid (so each error is the one change's doing).
TEST_F(ConfigErrorTest, BaseConfigIsValid) {
  for (const std::string& toml : {config(good_tls()),
                                  config(good_tls(", client_ca = " + toml_string(pki().ca_cert) +
                                                  ", forward_client_cert = true")),
                                  config(good_tls(), {"tls = { ca = " + toml_string(pki().ca_cert) +
                                                      ", server_name = \"localhost\" }"}),
                                  config(good_tls(), {}, "tcp")}) {
    RunResult run = validate_config(toml, nullptr);
    ASSERT_TRUE(run.status);
    EXPECT_TRUE(run.status->success()) << run.err << "\n" << toml;
  }
}

TEST_F(ConfigErrorTest, KeyOfAnotherTypeDoesNotMatch) {
  const std::string toml =
      config("{ certificates = [" + cert_entry(pki().a_ecdsa.cert, pki().b_rsa.key) + "] }");
  expect_error(
      toml, "key = \"", 6, "listeners[0].tls.certificates[0].key",
      "the key in " + pki().b_rsa.key + " does not match the certificate in " + pki().a_ecdsa.cert);
}

// An ECDSA P-256 key that is not the certificate's: same type and curve, different key.
TEST_F(ConfigErrorTest, MismatchedKeyOfSameTypeDoesNotMatch) {
  const std::string toml =
      config("{ certificates = [" + cert_entry(pki().a_ecdsa.cert, pki().mismatched_key) + "] }");
  expect_error(toml, "key = \"", 6, "listeners[0].tls.certificates[0].key",
               "the key in " + pki().mismatched_key + " does not match the certificate in " +
                   pki().a_ecdsa.cert);
}

TEST_F(ConfigErrorTest, SecondCertificateIsNamed) {
  const std::string toml = config("{ certificates = [" + cert_entry(pki().a_ecdsa) + ", " +
                                  cert_entry(pki().expired) + "] }");
  expect_error(toml, "cert = " + toml_string(pki().expired.cert), 7,
               "listeners[0].tls.certificates[1].cert",
               "the certificate in " + pki().expired.cert + " has expired");
}

TEST_F(ConfigErrorTest, ExpiredCertificate) {
  const std::string toml = config("{ certificates = [" + cert_entry(pki().expired) + "] }");
  expect_error(toml, "cert = \"", 7, "listeners[0].tls.certificates[0].cert",
               "the certificate in " + pki().expired.cert + " has expired");
}

TEST_F(ConfigErrorTest, UnreadableFiles) {
  const std::string missing = pki().dir + "/no-such.pem";
  std::string toml = config("{ certificates = [" + cert_entry(missing, pki().a_ecdsa.key) + "] }");
  expect_error(toml, "cert = \"", 7, "listeners[0].tls.certificates[0].cert",
               "cannot read " + missing + ": No such file or directory");
  toml = config("{ certificates = [" + cert_entry(pki().a_ecdsa.cert, missing) + "] }");
  expect_error(toml, "key = \"", 6, "listeners[0].tls.certificates[0].key",
               "cannot read " + missing + ": No such file or directory");
  toml = config(good_tls(", client_ca = " + toml_string(missing)));
  expect_error(toml, "client_ca = ", 12, "listeners[0].tls.client_ca",
               "cannot read " + missing + ": No such file or directory");
  toml =
      config(good_tls(), {"tls = { ca = " + toml_string(missing) + ", server_name = \"x.test\" }"});
  expect_error(toml, "ca = " + toml_string(missing), 5, "clusters[0].tls.ca",
               "cannot read " + missing + ": No such file or directory");
}

TEST_F(ConfigErrorTest, RelativePathIsRelativeToConfigDirectory) {
  // validate_config writes the file into a fresh temp dir, where "a.pem" does not exist.
  std::string toml = config("{ certificates = [{ cert = \"a.pem\", key = \"a.key\" }] }");
  std::string path;
  RunResult run = validate_config(toml, &path);
  ASSERT_TRUE(run.status);
  const std::string dir = path.substr(0, path.rfind('/'));
  EXPECT_TRUE(contains(run.err, ": listeners[0].tls.certificates[0].cert: cannot read " + dir +
                                    "/a.pem: No such file or directory\n"))
      << run.err;
}

// A file that holds no private key: the message names the file and says why, not "ok".
TEST_F(ConfigErrorTest, KeyFileWithoutKey) {
  const std::string toml =
      config("{ certificates = [" + cert_entry(pki().a_ecdsa.cert, pki().ca_cert) + "] }");
  std::string path;
  RunResult run = validate_config(toml, &path);
  ASSERT_TRUE(run.status);
  EXPECT_NE(run.status->code(), 0);
  const std::string prefix = ": listeners[0].tls.certificates[0].key: " + pki().ca_cert +
                             " holds no usable PEM private key";
  EXPECT_TRUE(contains(run.err, prefix)) << run.err;
  EXPECT_FALSE(run.err.ends_with(": ok\n"))
      << "the reason given is wolfSSL's text for success: " << run.err;
}

TEST_F(ConfigErrorTest, BadVersions) {
  std::string toml = config(good_tls(", min_version = \"1.1\""));
  expect_error(toml, "\"1.1\"", 0, "listeners[0].tls.min_version",
               "expected one of \"1.2\" or \"1.3\", got \"1.1\" (did you mean \"1.2\"?)");
  toml = config(good_tls(", max_version = \"TLSv1.3\""));
  expect_error(toml, "\"TLSv1.3\"", 0, "listeners[0].tls.max_version",
               "expected one of \"1.2\" or \"1.3\", got \"TLSv1.3\"");
  toml = config(good_tls(", min_version = \"1.3\", max_version = \"1.2\""));
  expect_error(toml, "\"1.3\"", 0, "listeners[0].tls.min_version",
               "min_version is above max_version");
}

TEST_F(ConfigErrorTest, ClientCertificateRequiredWithoutClientCa) {
  const std::string toml = config(good_tls(", client_certificate = \"required\""));
  expect_error(toml, "\"required\"", 0, "listeners[0].tls.client_certificate",
               "client certificates need client_ca (the CA file to verify them against)");
}

TEST_F(ConfigErrorTest, ForwardClientCertWithoutClientCertificates) {
  const std::string toml = config(good_tls(", forward_client_cert = true"));
  expect_error(toml, "forward_client_cert = ", 22, "listeners[0].tls.forward_client_cert",
               "forward_client_cert needs client certificates (set client_ca)");
}

TEST_F(ConfigErrorTest, IpEndpointWithVerifyNeedsServerName) {
  const std::string toml =
      config(good_tls(), {"tls = { ca = " + toml_string(pki().ca_cert) + " }"});
  expect_error(toml, "tls = { ca", 6, "clusters[0].tls",
               "endpoint \"127.0.0.1:" + std::to_string(kUpstreamPort) +
                   "\" is an IP address: set server_name to the name its certificate must "
                   "carry (or verify = false)");
  // `tls = true` (system CAs, verified) has the same problem.
  const std::string system = config(good_tls(), {"tls = true"});
  expect_error(system, "tls = true", 6, "clusters[0].tls",
               "endpoint \"127.0.0.1:" + std::to_string(kUpstreamPort) +
                   "\" is an IP address: set server_name to the name its certificate must "
                   "carry (or verify = false)");
}

TEST_F(ConfigErrorTest, UnknownCurve) {
  std::string toml = config(good_tls(", curves = \"X25519:P-999\""));
  expect_error(toml, "\"X25519:P-999\"", 0, "listeners[0].tls.curves",
               "unknown curve \"P-999\" (known: X25519, P-256, P-384, P-521)");
  toml = config(good_tls(), {"tls = { ca = " + toml_string(pki().ca_cert) +
                             ", server_name = \"localhost\", curves = \"secp256r1\" }"});
  expect_error(toml, "\"secp256r1\"", 0, "clusters[0].tls.curves",
               "unknown curve \"secp256r1\" (known: X25519, P-256, P-384, P-521)");
}

TEST_F(ConfigErrorTest, UnusableCipherList) {
  const std::string toml = config(good_tls(", ciphers = \"NO-SUCH-CIPHER\""));
  expect_error(toml, "\"NO-SUCH-CIPHER\"", 0, "listeners[0].tls.ciphers",
               "no usable cipher suite in \"NO-SUCH-CIPHER\"");
}

// The same errors stop a real start: ringress exits non-zero with the message.
TEST_F(ConfigErrorTest, StartFailsToo) {
  const std::string toml = config("{ certificates = [" + cert_entry(pki().expired) + "] }");
  const std::string path = scratch("ringress.toml");
  ASSERT_TRUE(write_file(path, toml));
  RunResult run = run_ringress({"-c", path}, stretched(seconds(10)));
  ASSERT_TRUE(run.status) << "ringress did not exit";
  EXPECT_NE(run.status->code(), 0);
  EXPECT_TRUE(contains(run.err, ": listeners[0].tls.certificates[0].cert: the certificate in " +
                                    pki().expired.cert + " has expired\n"))
      << run.err;
}

}  // namespace
}  // namespace ringress::test
