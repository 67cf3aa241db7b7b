#include "tests/lb/test_hosts.h"

#include <gtest/gtest.h>

#include "lb/hash.h"

namespace ringress::lb::test {

std::string host_key(std::size_t i) {
  return "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + ":80";
}

TestHosts::TestHosts(std::vector<std::string> keys, std::vector<uint32_t> weights)
    : keys_(std::move(keys)) {
  // The keys are complete before any view of them is taken.
  for (std::size_t i = 0; i < keys_.size(); ++i) view_.push_back({keys_[i], weights[i], true});
}

TestHosts::TestHosts(std::vector<uint32_t> weights)
    : TestHosts(
          [&] {
            std::vector<std::string> keys;
            for (std::size_t i = 0; i < weights.size(); ++i) keys.push_back(host_key(i));
            return keys;
          }(),
          weights) {}

TestHosts TestHosts::equal(std::size_t count) { return TestHosts(std::vector<uint32_t>(count, 1)); }

TestHosts TestHosts::with_keys(std::vector<std::string> keys) {
  std::vector<uint32_t> weights(keys.size(), 1);
  return TestHosts(std::move(keys), std::move(weights));
}

std::vector<uint64_t> count_picks(LoadBalancer& lb, std::size_t hosts, int picks) {
  std::vector<uint64_t> counts(hosts, 0);
  for (int i = 0; i < picks; ++i) {
    std::optional<std::size_t> host = lb.pick({});
    EXPECT_TRUE(host && *host < hosts);
    if (host && *host < hosts) ++counts[*host];
  }
  return counts;
}

std::vector<uint64_t> count_keyed_picks(LoadBalancer& lb, std::size_t hosts, int picks) {
  std::vector<uint64_t> counts(hosts, 0);
  for (int i = 0; i < picks; ++i) {
    std::optional<std::size_t> host = lb.pick({mix64(static_cast<uint64_t>(i)), {}});
    EXPECT_TRUE(host && *host < hosts);
    if (host && *host < hosts) ++counts[*host];
  }
  return counts;
}

}  // namespace ringress::lb::test
