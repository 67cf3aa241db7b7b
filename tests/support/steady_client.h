// The well-behaved client of an adversary test: on its own thread, one kept-alive connection
// sends a GET every `interval` while an attacker works on the proxy, and records the slowest
// round trip and every failure, so a test can assert "served within a second, all along".
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/net.h"

namespace ringress::test {

class SteadyClient {
 public:
  struct Report {
    size_t served = 0;  // 200 responses with the expected body
    std::chrono::milliseconds slowest{0};
    std::vector<std::string> failures;  // "request 12: <why>", at most the first 10
  };

  // Requests go to 127.0.0.1:`port` as "GET /steady/<n>"; a response is good if it is a 200
  // whose body is `expected_body` with "<target>" replaced by the request's target. Each round
  // trip may take up to `limit`; a slower one is a failure (and ends the run, since the
  // connection's state is then unknown).
  SteadyClient(uint16_t port, std::string expected_body, std::chrono::milliseconds interval,
               std::chrono::milliseconds limit);
  ~SteadyClient() { stop(); }
  SteadyClient(const SteadyClient&) = delete;
  SteadyClient& operator=(const SteadyClient&) = delete;

  // Good responses so far.
  size_t served() const;
  // Stops after the round trip in progress and returns what happened.
  Report stop();

 private:
  void run();

  uint16_t port_;
  std::string expected_body_;
  std::chrono::milliseconds interval_, limit_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  Report report_;
  std::thread thread_;
};

// The body HttpUpstream's describe_request answers a GET of "<target>" with.
inline std::string described_get() { return "GET <target> 0"; }

}  // namespace ringress::test
