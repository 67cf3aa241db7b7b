#include "tests/e2e_http/http_proxy_test.h"

#include "tests/support/pattern.h"

namespace ringress::test {

namespace {

// The whole-test bound; each test takes at most a few seconds.
constexpr seconds kTestLimit{40};

}  // namespace

HttpProxyTest::HttpProxyTest() : listen_port_(free_port()), watchdog_(stretched(kTestLimit)) {}

HttpProxyConfig HttpProxyTest::config_for(uint16_t upstream_port,
                                          const std::string& route_keys) const {
  HttpProxyConfig config;
  config.listen_port = listen_port_;
  std::string route = "{ prefix = \"/\", cluster = \"backend\"";
  if (!route_keys.empty()) route += ", " + route_keys;
  config.virtual_hosts.push_back({"all", {"*"}, {route + " }"}});
  config.clusters.push_back({"backend", {upstream_port}, {}});
  return config;
}

::testing::AssertionResult HttpProxyTest::start(const HttpProxyConfig& config) {
  return proxy_.start(config.toml(), listen_port_);
}

::testing::AssertionResult has_status(const HttpMessage& response, int status) {
  if (!response.ok())
    return ::testing::AssertionFailure() << "no complete response: " << response.describe();
  if (response.status != status) {
    return ::testing::AssertionFailure()
           << "status " << response.status << ", expected " << status << "\n"
           << response.describe();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_local_reply(const HttpMessage& response, int status) {
  ::testing::AssertionResult ok = has_status(response, status);
  if (!ok) return ok;
  std::optional<std::string> type = response.header("content-type");
  std::optional<std::string> length = response.header("content-length");
  if (response.body.empty())
    return ::testing::AssertionFailure() << "empty body\n" << response.describe();
  if (!type || type->rfind("text/plain", 0) != 0)
    return ::testing::AssertionFailure() << "not text/plain\n" << response.describe();
  if (!length || *length != std::to_string(response.body.size()))
    return ::testing::AssertionFailure() << "Content-Length does not match\n"
                                         << response.describe();
  return ::testing::AssertionSuccess();
}

std::string pattern_text(uint64_t seed, size_t size) {
  std::string bytes(size, '\0');
  Pattern(seed).fill(reinterpret_cast<uint8_t*>(bytes.data()), size);
  return bytes;
}

}  // namespace ringress::test
