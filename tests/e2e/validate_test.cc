// `ringress --validate -c FILE`: exit 0 for a good config without binding its ports; for a bad
// one a non-zero exit and an error naming the file's line and column and the offending key.
#include <cctype>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/e2e/proxy_test.h"

namespace ringress::test {
namespace {

// The 1-based number of the first line of `text` that contains `needle`; 0 if none does.
size_t line_of(const std::string& text, const std::string& needle) {
  std::istringstream lines(text);
  std::string line;
  for (size_t n = 1; std::getline(lines, line); ++n) {
    if (line.find(needle) != std::string::npos) return n;
  }
  return 0;
}

// True if `text` contains ":<line>:<digits>", the line and column of "file:line:col:".
bool names_line(const std::string& text, size_t line) {
  const std::string prefix = ":" + std::to_string(line) + ":";
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
    size_t next = at + prefix.size();
    if (next < text.size() && std::isdigit(static_cast<unsigned char>(text[next]))) return true;
  }
  return false;
}

using ValidateTest = ProxyTest;

// The listener's port is held by the test, so a --validate that tried to bind it would fail.
TEST_F(ValidateTest, GoodConfigExitsZeroWithoutBinding) {
  Fd holder = listen_tcp(listen_port_);
  ASSERT_TRUE(holder.valid()) << strerror(errno);
  std::string path;
  RunResult run = validate_config(config_for({free_port()}).toml(), &path);
  ASSERT_TRUE(run.status) << "--validate did not finish in 10 s";
  EXPECT_TRUE(run.status->success()) << run.status->describe() << "\nstderr:\n" << run.err;
}

TEST_F(ValidateTest, UnknownClusterNamesLineColumnAndKey) {
  ProxyConfig config = config_for({free_port()});
  config.listener_cluster = "no-such-cluster";
  const std::string toml = config.toml();
  const size_t line = line_of(toml, "cluster = \"no-such-cluster\"");
  ASSERT_GT(line, 0u);

  std::string path;
  RunResult run = validate_config(toml, &path);
  ASSERT_TRUE(run.status) << "--validate did not finish in 10 s";
  EXPECT_TRUE(run.status->exited()) << run.status->describe();
  EXPECT_NE(run.status->code(), 0) << "stderr:\n" << run.err;
  // "file:line:col: key: message"; only the place and the key are pinned down here.
  EXPECT_TRUE(names_line(run.err, line)) << "expected \":" << line << ":<column>\" in stderr:\n"
                                         << run.err << "\nconfig " << path << ":\n"
                                         << toml;
  EXPECT_NE(run.err.find("listeners[0].cluster"), std::string::npos) << "stderr:\n" << run.err;
}

}  // namespace
}  // namespace ringress::test
