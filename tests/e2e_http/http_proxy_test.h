// The fixture of the HTTP end-to-end tests: a free port for the proxy's HTTP listener, the
// real binary as a ProxyProcess (killed, with its log printed when the test failed) and a
// watchdog bounding the whole test.
#pragma once

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/http_client.h"
#include "tests/support/http_message.h"
#include "tests/support/http_proxy_config.h"
#include "tests/support/http_upstream.h"
#include "tests/support/net.h"
#include "tests/support/proxy_process.h"
#include "tests/support/scale.h"
#include "tests/support/watchdog.h"

namespace ringress::test {

using std::chrono::milliseconds;
using std::chrono::seconds;

class HttpProxyTest : public ::testing::Test {
 protected:
  HttpProxyTest();

  // One worker, one virtual host "*" whose only route (`prefix = "/"`, plus `route_keys`)
  // forwards to cluster "backend" = 127.0.0.1:`upstream_port`.
  HttpProxyConfig config_for(uint16_t upstream_port, const std::string& route_keys = "") const;
  // Starts the proxy; use as ASSERT_TRUE(start(config)).
  ::testing::AssertionResult start(const HttpProxyConfig& config);
  // A new client connection to the proxy (check connected()).
  HttpClient client() const { return HttpClient(listen_port_); }

  const uint16_t listen_port_;
  Watchdog watchdog_;
  ProxyProcess proxy_;
};

// A deadline for one exchange that should take milliseconds: 5 s, stretched for slow builds.
inline Deadline soon() { return deadline_in(stretched(seconds(5))); }

// Asserts a response arrived whole with `status`.
::testing::AssertionResult has_status(const HttpMessage& response, int status);

// Asserts `response` is a local reply of ringress: `status`, a non-empty text/plain body whose
// length matches Content-Length.
::testing::AssertionResult is_local_reply(const HttpMessage& response, int status);

// Pattern(seed)'s first `size` bytes.
std::string pattern_text(uint64_t seed, size_t size);

}  // namespace ringress::test
