#include "lb/cluster_hosts.h"

#include <algorithm>

#include "lb/hosts.h"

namespace ringress::lb {

namespace {

constexpr uint32_t kOverprovisionPercent = 140;  // Envoy's overprovisioning factor 1.4
constexpr uint32_t kLevels = 2;
constexpr uint64_t kShareScale = 1000;  // weight resolution when two levels share the traffic

}  // namespace

std::vector<HostEntry> static_host_entries(const conf::Cluster& cluster) {
  std::vector<Host> hosts = hosts_of(cluster);
  std::vector<HostEntry> out;
  out.reserve(hosts.size());
  std::size_t i = 0;
  for (const auto& e : cluster.endpoints) {
    for (std::size_t a = 0; a < e.addresses.size(); ++a, ++i) {
      HostEntry entry;
      entry.host = std::move(hosts[i]);
      entry.priority = e.backup ? 1 : 0;
      out.push_back(std::move(entry));
    }
  }
  return out;
}

std::vector<HostEntry> discovered_host_entries(std::span<const DiscoveredEndpoint> endpoints) {
  conf::Cluster grouped;
  for (const DiscoveredEndpoint& d : endpoints) {
    auto it = std::find_if(grouped.endpoints.begin(), grouped.endpoints.end(),
                           [&](const conf::Endpoint& e) { return e.text == d.name; });
    if (it == grouped.endpoints.end()) {
      conf::Endpoint& e = grouped.endpoints.emplace_back();
      e.text = d.name;
      e.weight = std::max<uint32_t>(d.weight, 1);
      e.backup = d.backup;
      it = grouped.endpoints.end() - 1;
    }
    it->addresses.push_back(d.address);
  }
  return static_host_entries(grouped);
}

HostSetPtr make_host_set(uint64_t version, std::vector<HostEntry> hosts,
                         const conf::Cluster& cluster) {
  auto set = std::make_shared<HostSet>();
  set->version = version;
  set->hosts = std::move(hosts);
  const auto& entries = set->hosts;

  uint32_t total[kLevels] = {}, available[kLevels] = {};
  uint64_t available_weight[kLevels] = {};
  for (const HostEntry& e : entries) {
    const uint32_t p = std::min<uint32_t>(e.priority, kLevels - 1);
    ++total[p];
    if (e.healthy && !e.ejected) {
      ++available[p];
      available_weight[p] += e.host.weight;
    }
  }
  // Each level's health and share of the traffic, in percent.
  uint32_t health_sum = 0, load[kLevels] = {}, remaining = 100;
  for (uint32_t p = 0; p < kLevels; ++p) {
    if (total[p] == 0) continue;
    const uint32_t health =
        std::min<uint32_t>(100, available[p] * kOverprovisionPercent / total[p]);
    health_sum += health;
    load[p] = std::min(health, remaining);
    remaining -= load[p];
  }
  health_sum = std::min<uint32_t>(health_sum, 100);
  const bool none = available[0] + available[1] == 0;
  set->panic = !none && health_sum < cluster.panic_threshold;
  uint32_t levels_used = 0;
  for (uint32_t l : load) levels_used += l > 0 ? 1 : 0;

  set->view.reserve(entries.size());
  for (const HostEntry& e : entries) {
    const uint32_t p = std::min<uint32_t>(e.priority, kLevels - 1);
    LbHost h{e.host.address_text, e.host.weight, false};
    if (set->panic) {
      h.available = true;
    } else if (e.healthy && !e.ejected && load[p] > 0) {
      h.available = true;
      if (levels_used > 1)
        h.weight = static_cast<uint32_t>(std::max<uint64_t>(
            1, uint64_t{e.host.weight} * load[p] * kShareScale / available_weight[p]));
    }
    set->view.push_back(h);
  }
  set->tables = build_lb_tables(cluster.lb, set->view);
  return set;
}

}  // namespace ringress::lb
