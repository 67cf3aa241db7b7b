// Host sets for the policy tests: keys "10.0.<i / 250>.<i % 250 + 1>:80" (or any given), the
// weights asked for, all available; and pick counting.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lb/load_balancer.h"

namespace ringress::lb::test {

class TestHosts {
 public:
  explicit TestHosts(std::vector<uint32_t> weights);
  static TestHosts equal(std::size_t count);
  // Hosts with these keys, weight 1.
  static TestHosts with_keys(std::vector<std::string> keys);
  // The view points into keys_: moving keeps the strings in place, copying would not.
  TestHosts(TestHosts&&) = default;
  TestHosts(const TestHosts&) = delete;

  HostSetView view() const { return view_; }
  std::size_t size() const { return view_.size(); }
  const std::string& key(std::size_t i) const { return keys_[i]; }
  void set_available(std::size_t i, bool available) { view_[i].available = available; }

 private:
  TestHosts(std::vector<std::string> keys, std::vector<uint32_t> weights);
  std::vector<std::string> keys_;
  std::vector<LbHost> view_;
};

std::string host_key(std::size_t i);

// How often each host was picked in `picks` picks with no hash key and no retry.
std::vector<uint64_t> count_picks(LoadBalancer& lb, std::size_t hosts, int picks);
// The same, each pick with its own hash key (mix64 of the pick's number).
std::vector<uint64_t> count_keyed_picks(LoadBalancer& lb, std::size_t hosts, int picks);

}  // namespace ringress::lb::test
