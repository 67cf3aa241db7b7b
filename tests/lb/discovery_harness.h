// Running a discovery (dns or file) on a reactor in a test: the test's steps are a coroutine
// beside the discovery's run(), which is stopped when the steps end. Every set the discovery
// reports is kept, and `eventually` waits (bounded) for a condition while the reactor runs.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "conf/config.h"
#include "core/io_op.h"
#include "core/reactor.h"
#include "core/task.h"
#include "core/task_scope.h"
#include "lb/discovered_endpoints.h"

namespace ringress::lb::test {

// The config of one cluster, `keys` its table's body (after name = "c").
inline conf::Config cluster_config(const std::string& keys, const std::string& path = "t.toml") {
  return conf::parse_config(
      "[[listeners]]\nname = \"l\"\naddress = \"127.0.0.1:1\"\ncluster = \"c\"\n"
      "[[clusters]]\nname = \"c\"\n" +
          keys,
      path);
}

// "name address weight [backup] [k=v ...]" per endpoint, in the set's order.
inline std::vector<std::string> describe(const std::vector<DiscoveredEndpoint>& set) {
  std::vector<std::string> out;
  for (const auto& e : set) {
    std::string line = e.name + " " + e.address.to_string() + " " + std::to_string(e.weight);
    if (e.backup) line += " backup";
    for (const auto& [k, v] : e.metadata) line += " " + k + "=" + v;
    out.push_back(line);
  }
  return out;
}

// Waits until `done()` holds, for at most `limit`, letting the reactor run meanwhile.
inline core::Task<bool> eventually(std::function<bool()> done,
                                   std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (done()) co_return true;
    if (std::chrono::steady_clock::now() > deadline) co_return false;
    co_await core::sleep_for(std::chrono::milliseconds(20));
  }
}

// Lets the reactor run for `d` (for "nothing happens meanwhile" checks).
inline core::Task<void> idle(std::chrono::milliseconds d) { co_await core::sleep_for(d); }

// Runs `discovery.run()` and `steps` together on a new reactor; stops the discovery when
// `steps` finish and waits for it to end.
template <typename Discovery>
void run_beside(Discovery& discovery, std::function<core::Task<void>()> steps) {
  core::Reactor reactor;
  reactor.run([](Discovery& d, std::function<core::Task<void>()>& s) -> core::Task<void> {
    core::TaskScope scope;
    scope.spawn(d.run(scope.token()));
    co_await s();
    scope.cancel();
    co_await scope.join();
  }(discovery, steps));
}

}  // namespace ringress::lb::test
