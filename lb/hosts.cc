#include "lb/hosts.h"

#include "core/socket_address.h"

namespace ringress::lb {

std::vector<Host> hosts_of(const conf::Cluster& cluster) {
  std::vector<Host> hosts;
  for (const auto& e : cluster.endpoints) {
    std::string hostname;
    uint16_t port = 0;
    if (!core::split_host_port(e.text, hostname, port)) hostname = e.text;
    for (const auto& a : e.addresses)
      hosts.push_back({a, e.weight, e.text, a.to_string(), hostname});
  }
  return hosts;
}

}  // namespace ringress::lb
