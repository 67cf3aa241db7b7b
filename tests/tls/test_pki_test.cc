#include "tests/support/test_pki.h"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace ringress::test {
namespace {

CommandResult openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  return run_command(args);
}

// `openssl verify` of `cert` against `ca_file`; extra options (e.g. -purpose) before the cert.
CommandResult verify(const std::string& ca_file, const std::string& cert,
                     std::vector<std::string> options = {}) {
  std::vector<std::string> args{"verify", "-CAfile", ca_file};
  args.insert(args.end(), options.begin(), options.end());
  args.push_back(cert);
  return openssl(args);
}

std::string seconds_from_now(std::chrono::seconds offset) {
  auto t = std::chrono::system_clock::now() + offset;
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

::testing::AssertionResult verifies(const CommandResult& r) {
  if (r.success() && r.out.find(": OK") != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << r.describe() << "\nstdout: " << r.out << "\nstderr: " << r.err;
}

// Verification failed, and openssl said why in words containing `reason`.
::testing::AssertionResult fails_with(const CommandResult& r, const std::string& reason) {
  if (r.finished && !r.success() && (r.out + r.err).find(reason) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "expected a failure mentioning \"" << reason << "\", got " << r.describe()
         << "\nstdout: " << r.out << "\nstderr: " << r.err;
}

std::string cert_field(const std::string& cert, std::vector<std::string> what) {
  std::vector<std::string> args{"x509", "-noout", "-in", cert};
  args.insert(args.end(), what.begin(), what.end());
  CommandResult r = openssl(args);
  EXPECT_TRUE(r.success()) << r.describe() << ": " << r.err;
  return r.out;
}

std::string cert_pubkey(const std::string& cert) { return cert_field(cert, {"-pubkey"}); }

std::string key_pubkey(const std::string& key) {
  CommandResult r = openssl({"pkey", "-pubout", "-in", key});
  EXPECT_TRUE(r.success()) << r.describe() << ": " << r.err;
  return r.out;
}

class TestPkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto start = std::chrono::steady_clock::now();
    std::string error = make_test_pki(dir_.path(), pki_);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    ASSERT_EQ(error, "");
    std::cout << "[ info     ] make_test_pki took " << took.count() << " ms\n";
    RecordProperty("make_test_pki_ms", static_cast<int>(took.count()));
  }

  TempDir dir_;
  TestPki pki_;
};

TEST_F(TestPkiTest, ServerCertsVerifyAgainstTheCa) {
  for (const CertFiles* c : {&pki_.a_ecdsa, &pki_.b_rsa, &pki_.wildcard, &pki_.localhost}) {
    SCOPED_TRACE(c->cert);
    EXPECT_TRUE(verifies(verify(pki_.ca_cert, c->cert, {"-purpose", "sslserver"})));
    // serverAuth only: not usable as a client certificate.
    EXPECT_TRUE(fails_with(verify(pki_.ca_cert, c->cert, {"-purpose", "sslclient"}),
                           "unsuitable certificate purpose"));
    // Not signed by the other CA.
    EXPECT_TRUE(fails_with(verify(pki_.other_ca_cert, c->cert), "unable to get local issuer"));
    // Valid from yesterday (so half a day ago) for 30 days.
    EXPECT_TRUE(verifies(
        verify(pki_.ca_cert, c->cert, {"-attime", seconds_from_now(-std::chrono::hours(12))})));
    EXPECT_TRUE(verifies(
        verify(pki_.ca_cert, c->cert, {"-attime", seconds_from_now(std::chrono::hours(28 * 24))})));
    EXPECT_TRUE(fails_with(
        verify(pki_.ca_cert, c->cert, {"-attime", seconds_from_now(std::chrono::hours(30 * 24))}),
        "certificate has expired"));
    EXPECT_TRUE(fails_with(
        verify(pki_.ca_cert, c->cert, {"-attime", seconds_from_now(-std::chrono::hours(36))}),
        "certificate is not yet valid"));
  }
}

TEST_F(TestPkiTest, ExpiredCertFailsVerification) {
  EXPECT_TRUE(fails_with(verify(pki_.ca_cert, pki_.expired.cert), "certificate has expired"));
  // It is otherwise a good certificate from this CA: two days ago it verified.
  EXPECT_TRUE(verifies(verify(pki_.ca_cert, pki_.expired.cert,
                              {"-attime", seconds_from_now(-std::chrono::hours(48))})));
}

TEST_F(TestPkiTest, ClientCertsVerifyOnlyAgainstTheirOwnCa) {
  EXPECT_TRUE(verifies(verify(pki_.ca_cert, pki_.client.cert, {"-purpose", "sslclient"})));
  EXPECT_TRUE(fails_with(verify(pki_.ca_cert, pki_.client.cert, {"-purpose", "sslserver"}),
                         "unsuitable certificate purpose"));
  EXPECT_TRUE(
      verifies(verify(pki_.other_ca_cert, pki_.other_client.cert, {"-purpose", "sslclient"})));
  EXPECT_TRUE(fails_with(verify(pki_.ca_cert, pki_.other_client.cert, {"-purpose", "sslclient"}),
                         "unable to get local issuer"));
  EXPECT_TRUE(
      fails_with(verify(pki_.other_ca_cert, pki_.client.cert), "unable to get local issuer"));
}

TEST_F(TestPkiTest, NamesAndSubjects) {
  auto san = [](const std::string& cert) { return cert_field(cert, {"-ext", "subjectAltName"}); };
  EXPECT_NE(san(pki_.a_ecdsa.cert).find("DNS:a.test\n"), std::string::npos);
  EXPECT_NE(san(pki_.b_rsa.cert).find("DNS:b.test\n"), std::string::npos);
  EXPECT_NE(san(pki_.wildcard.cert).find("DNS:*.wild.test\n"), std::string::npos);
  EXPECT_NE(san(pki_.localhost.cert).find("DNS:localhost, IP Address:127.0.0.1\n"),
            std::string::npos);
  EXPECT_NE(san(pki_.expired.cert).find("DNS:expired.test\n"), std::string::npos);
  EXPECT_NE(san(pki_.client.cert).find("URI:spiffe://test/client-one\n"), std::string::npos);
  EXPECT_NE(san(pki_.other_client.cert).find("URI:spiffe://test/client-other\n"),
            std::string::npos);

  auto subject = [](const std::string& cert) {
    return cert_field(cert, {"-subject", "-nameopt", "RFC2253"});
  };
  EXPECT_EQ(subject(pki_.ca_cert), "subject=CN=ringress test CA\n");
  EXPECT_EQ(subject(pki_.a_ecdsa.cert), "subject=CN=a.test\n");
  EXPECT_EQ(subject(pki_.client.cert), "subject=CN=client-one,O=ringress-tests\n");
  EXPECT_EQ(cert_field(pki_.client.cert, {"-issuer", "-nameopt", "RFC2253"}),
            "issuer=CN=ringress test CA\n");
  EXPECT_EQ(cert_field(pki_.other_client.cert, {"-issuer", "-nameopt", "RFC2253"}),
            "issuer=CN=ringress other test CA\n");
}

TEST_F(TestPkiTest, KeysMatchTheirCertsAndAlgorithms) {
  for (const CertFiles* c : {&pki_.a_ecdsa, &pki_.b_rsa, &pki_.wildcard, &pki_.localhost,
                             &pki_.expired, &pki_.client, &pki_.other_client}) {
    SCOPED_TRACE(c->cert);
    std::string pub = cert_pubkey(c->cert);
    ASSERT_NE(pub, "");
    EXPECT_EQ(pub, key_pubkey(c->key));
    EXPECT_NE(pub, key_pubkey(pki_.mismatched_key));
    EXPECT_NE(read_text_file(c->key).find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  }
  EXPECT_EQ(cert_pubkey(pki_.ca_cert), key_pubkey(pki_.ca_key));
  std::string b_text = cert_field(pki_.b_rsa.cert, {"-text"});
  EXPECT_NE(b_text.find("rsaEncryption"), std::string::npos);
  EXPECT_NE(b_text.find("Public-Key: (2048 bit)"), std::string::npos);
  std::string a_text = cert_field(pki_.a_ecdsa.cert, {"-text"});
  EXPECT_NE(a_text.find("NIST CURVE: P-256"), std::string::npos);
  EXPECT_NE(cert_field(pki_.ca_cert, {"-text"}).find("NIST CURVE: P-256"), std::string::npos);
}

TEST_F(TestPkiTest, ChainIsLeafThenCa) {
  std::string leaf = read_text_file(pki_.a_ecdsa.cert);
  std::string ca = read_text_file(pki_.ca_cert);
  ASSERT_NE(leaf, "");
  EXPECT_EQ(read_text_file(pki_.a_chain), leaf + ca);
}

TEST(TestPki, SharedPkiIsMadeOnce) {
  const TestPki* first = shared_test_pki();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(shared_test_pki(), first);
  EXPECT_TRUE(std::filesystem::exists(first->a_chain));
  EXPECT_TRUE(verifies(verify(first->ca_cert, first->localhost.cert)));
}

TEST(RunCommand, ReportsExitSignalsAndTimeouts) {
  CommandResult ok = run_command({"sh", "-c", "echo out; echo err >&2"});
  EXPECT_TRUE(ok.success()) << ok.describe();
  EXPECT_EQ(ok.out, "out\n");
  EXPECT_EQ(ok.err, "err\n");

  EXPECT_EQ(run_command({"sh", "-c", "exit 3"}).describe(), "exit 3");
  EXPECT_EQ(run_command({"/nonexistent/tool"}).success(), false);

  auto start = std::chrono::steady_clock::now();
  CommandResult slow = run_command({"sleep", "30"}, std::chrono::milliseconds(200));
  EXPECT_FALSE(slow.finished);
  EXPECT_EQ(slow.describe(), "timed out and killed");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace ringress::test
