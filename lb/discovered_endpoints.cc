#include "lb/discovered_endpoints.h"

#include <algorithm>
#include <cstring>

namespace ringress::lb {

std::vector<DiscoveredEndpoint> configured_endpoints(const conf::Cluster& cluster) {
  std::vector<DiscoveredEndpoint> out;
  for (const conf::Endpoint& e : cluster.endpoints)
    for (const core::SocketAddress& a : e.addresses)
      out.push_back({e.text, a, e.weight, e.backup, e.metadata});
  sort_endpoints(out);
  return out;
}

void sort_endpoints(std::vector<DiscoveredEndpoint>& endpoints) {
  auto address_less = [](const core::SocketAddress& a, const core::SocketAddress& b) {
    if (a.size() != b.size()) return a.size() < b.size();
    return std::memcmp(a.get(), b.get(), a.size()) < 0;
  };
  std::sort(endpoints.begin(), endpoints.end(),
            [&](const DiscoveredEndpoint& a, const DiscoveredEndpoint& b) {
              if (a.name != b.name) return a.name < b.name;
              return address_less(a.address, b.address);
            });
}

}  // namespace ringress::lb
