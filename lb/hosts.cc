#include "lb/hosts.h"

#include <numeric>

#include "core/socket_address.h"

namespace ringress::lb {

namespace {

// S of the header comment.
uint64_t weight_scale(const conf::Cluster& cluster) {
  uint64_t scale = 1;
  for (const auto& e : cluster.endpoints) {
    if (e.addresses.empty()) continue;
    scale = std::lcm(scale, uint64_t{e.addresses.size()});
    if (scale > kMaxWeightScale) return kMaxWeightScale;
  }
  return scale;
}

}  // namespace

std::vector<Host> hosts_of(const conf::Cluster& cluster) {
  const uint64_t scale = weight_scale(cluster);
  std::vector<Host> hosts;
  for (const auto& e : cluster.endpoints) {
    if (e.addresses.empty()) continue;  // a dns cluster's name, before discovery resolves it
    std::string hostname;
    uint16_t port = 0;
    if (!core::split_host_port(e.text, hostname, port)) hostname = e.text;
    const uint64_t n = e.addresses.size();
    const uint64_t share = std::max<uint64_t>(1, (uint64_t{e.weight} * scale + n / 2) / n);
    for (const auto& a : e.addresses)
      hosts.push_back({a, static_cast<uint32_t>(share), e.text, a.to_string(), hostname});
  }
  return hosts;
}

std::vector<LbHost> lb_hosts(std::span<const Host> hosts) {
  std::vector<LbHost> out;
  out.reserve(hosts.size());
  for (const Host& h : hosts) out.push_back({h.address_text, h.weight, true});
  return out;
}

}  // namespace ringress::lb
