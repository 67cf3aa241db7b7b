#include "tests/e2e/proxy_test.h"

#include <string.h>

#include "tests/support/pattern.h"

namespace ringress::test {

namespace {

// The whole-test bound. Each test takes a few seconds; this only catches a hang that slipped
// past the deadlines on every blocking call.
constexpr std::chrono::seconds kTestLimit{40};

}  // namespace

ProxyTest::ProxyTest() : listen_port_(free_port()), watchdog_(stretched(kTestLimit)) {}

ProxyConfig ProxyTest::config_for(std::initializer_list<uint16_t> upstream_ports) const {
  ProxyConfig config;
  config.listen_port = listen_port_;
  for (uint16_t port : upstream_ports) config.endpoints.push_back({port});
  return config;
}

::testing::AssertionResult ProxyTest::start(const ProxyConfig& config) {
  return proxy_.start(config.toml(), listen_port_);
}

Fd ProxyTest::connect_client() const {
  return connect_tcp(listen_port_, deadline_in(std::chrono::seconds(5)));
}

::testing::AssertionResult round_trip(int fd, const std::string& message, Deadline deadline) {
  IoResult sent = send_all(fd, message, deadline);
  if (!sent.ok()) return ::testing::AssertionFailure() << "send: " << sent.describe();
  std::string back(message.size(), '\0');
  IoResult got = recv_exact(fd, back.data(), back.size(), deadline);
  if (!got.ok()) {
    return ::testing::AssertionFailure()
           << "receiving the echo of " << message.size() << " bytes: " << got.describe();
  }
  if (back != message)
    return ::testing::AssertionFailure() << "the echo differs from what was sent";
  return ::testing::AssertionSuccess();
}

std::string pattern_bytes(uint64_t seed, size_t size) {
  std::string bytes(size, '\0');
  Pattern(seed).fill(reinterpret_cast<uint8_t*>(bytes.data()), size);
  return bytes;
}

}  // namespace ringress::test
