// RoundRobin: smooth weighted round robin over a cluster's hosts (the nginx algorithm): over
// any window of sum(weights) picks each host is chosen `weight` times, interleaved rather than
// in bursts. One instance per worker, so picking takes no lock.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/socket_address.h"

namespace ringress::lb {

struct Host {
  core::SocketAddress address;
  uint32_t weight = 1;
  std::string name;          // the endpoint as written ("web.internal:8080"), for Host rewriting
  std::string address_text;  // "10.0.0.1:8080", for logs (computed once)
  std::string hostname;      // the name part of `name` ("web.internal"): TLS SNI and verification
};

class RoundRobin {
 public:
  explicit RoundRobin(std::vector<Host> hosts);
  // Index of the next host; hosts must not be empty.
  std::size_t pick();
  const Host& host(std::size_t i) const { return hosts_[i]; }
  std::size_t size() const { return hosts_.size(); }

 private:
  std::vector<Host> hosts_;
  std::vector<int64_t> current_;
  int64_t total_ = 0;
};

}  // namespace ringress::lb
