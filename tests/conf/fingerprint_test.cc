// conf::Cluster::fingerprint: what a reload compares to keep a cluster (docs/operations.md,
// "Reload"). Formatting, comments and key order do not count; any value does, and so does the
// content of a file the cluster names.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "conf/config.h"
#include "tests/conf/config_text.h"

namespace ringress::conf::test {
namespace {

std::string fingerprint_of(const std::string& text) {
  return parse_config(text, "proxy.toml").clusters.at(0).fingerprint;
}

TEST(ClusterFingerprint, FormattingCommentsAndKeyOrderDoNotCount) {
  const std::string a = fingerprint_of(users_cluster("connect_timeout = \"2s\"\n"));
  const std::string b = fingerprint_of(
      "[[listeners]]\nname = \"front\"\naddress = \"127.0.0.1:8000\"\ncluster = \"users\"\n"
      "# the same cluster, written differently\n[[clusters]]\nconnect_timeout   =   \"2s\"\n"
      "endpoints = [ \"127.0.0.1:9001\" ]   # one host\nname = \"users\"\n");
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a.empty());
}

TEST(ClusterFingerprint, AnyValueCounts) {
  const std::string base = fingerprint_of(users_cluster(""));
  EXPECT_NE(base, fingerprint_of(users_cluster("connect_timeout = \"2s\"\n")));
  EXPECT_NE(base, fingerprint_of(users_cluster("lb_policy = \"random\"\n")));
  EXPECT_NE(base, fingerprint_of("[[listeners]]\nname = \"front\"\naddress = \"127.0.0.1:8000\"\n"
                                 "cluster = \"users\"\n[[clusters]]\nname = \"users\"\n"
                                 "endpoints = [\"127.0.0.1:9002\"]\n"));
}

// Two CA certificates of the system store, as PEM text (the test needs real ones: the cluster's
// TLS context loads its CA file at load time).
std::vector<std::string> system_ca_certificates() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/etc/ssl/certs", ec)) {
    if (e.path().extension() != ".pem" || out.size() == 2) continue;
    std::ifstream in(e.path());
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().find("-----BEGIN CERTIFICATE-----") == 0) out.push_back(text.str());
  }
  return out;
}

TEST(ClusterFingerprint, TheContentOfANamedFileCounts) {
  const std::vector<std::string> certificates = system_ca_certificates();
  if (certificates.size() < 2) GTEST_SKIP() << "no CA certificates in /etc/ssl/certs";
  char dir_template[] = "/tmp/ringress-fingerprint-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string ca = std::string(dir_template) + "/ca.pem";
  auto write = [&](const std::string& text) {
    std::ofstream out(ca, std::ios::trunc);
    out << text;
  };
  const std::string text =
      "[[listeners]]\nname = \"front\"\naddress = \"127.0.0.1:8000\"\ncluster = \"users\"\n"
      "[[clusters]]\nname = \"users\"\nendpoints = [\"localhost:443\"]\n"
      "tls = { ca = \"" +
      ca + "\" }\n";
  write(certificates[0]);
  const std::string first = parse_config(text, "proxy.toml").clusters.at(0).fingerprint;
  write(certificates[0]);
  EXPECT_EQ(first, parse_config(text, "proxy.toml").clusters.at(0).fingerprint);
  write(certificates[1]);
  EXPECT_NE(first, parse_config(text, "proxy.toml").clusters.at(0).fingerprint);
  std::remove(ca.c_str());
  ::rmdir(dir_template);
}

}  // namespace
}  // namespace ringress::conf::test
