// The fixture every end-to-end test uses: a free port for the proxy's listener, a ProxyProcess
// (killed and its log printed on failure when the test ends) and a watchdog bounding the test.
#pragma once

#include <chrono>
#include <initializer_list>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/net.h"
#include "tests/support/proxy_config.h"
#include "tests/support/proxy_process.h"
#include "tests/support/scale.h"
#include "tests/support/watchdog.h"

namespace ringress::test {

class ProxyTest : public ::testing::Test {
 protected:
  ProxyTest();

  // A one-listener config on listen_port_ in front of `upstream_ports` (weight 1 each).
  ProxyConfig config_for(std::initializer_list<uint16_t> upstream_ports) const;
  // Starts the proxy with `config`; use as ASSERT_TRUE(start(config)).
  ::testing::AssertionResult start(const ProxyConfig& config);
  // A client connection to the proxy (invalid with errno set on failure).
  Fd connect_client() const;

  const uint16_t listen_port_;
  Watchdog watchdog_;
  ProxyProcess proxy_;
};

// Sends `message` on `fd` and expects exactly the same bytes back (an echo upstream).
::testing::AssertionResult round_trip(int fd, const std::string& message, Deadline deadline);

// Pattern(seed)'s first `size` bytes as a string.
std::string pattern_bytes(uint64_t seed, size_t size);

// True for the two ways a peer's close shows up: EOF or ECONNRESET.
inline bool is_closed(const IoResult& r) {
  return r.status == IoResult::kEof || r.status == IoResult::kReset;
}

}  // namespace ringress::test
