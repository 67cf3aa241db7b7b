#include "lb/hosts.h"

namespace ringress::lb {

std::vector<Host> hosts_of(const conf::Cluster& cluster) {
  std::vector<Host> hosts;
  for (const auto& e : cluster.endpoints)
    for (const auto& a : e.addresses) hosts.push_back({a, e.weight, e.text, a.to_string()});
  return hosts;
}

}  // namespace ringress::lb
