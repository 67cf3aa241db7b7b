// DiscoveredEndpoint: one address a cluster's discovery (dns or file) found, as it hands it to the
// control loop. A discovery calls EndpointsChanged with the cluster's whole current set, on the
// control reactor thread, and only when that set differs from the one it reported before; the
// control loop turns the set into a host-set snapshot for the workers.
//
// Entries that share a `name` are the addresses of one endpoint (a dns name with three A records),
// and `weight` is that endpoint's whole weight, repeated on each: split it among the addresses as
// lb/hosts.h does for static endpoints. An SRV target, and each entry of a file, is an endpoint
// of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "conf/config.h"
#include "core/socket_address.h"

namespace ringress::lb {

struct DiscoveredEndpoint {
  std::string name;             // what it came from: "web.internal:8080" (dns), or the address
  core::SocketAddress address;  // one resolved address with its port
  uint32_t weight = 1;          // the endpoint's weight (config, SRV record, or file entry)
  bool backup = false;          // priority 1: traffic only when too few primaries are healthy
  std::map<std::string, std::string> metadata;  // file discovery's per-host metadata

  friend bool operator==(const DiscoveredEndpoint&, const DiscoveredEndpoint&) = default;
};

using EndpointsChanged = std::function<void(std::vector<DiscoveredEndpoint>)>;

// The endpoints the config gives `cluster` at load (the addresses resolved then; none for a name
// of a dns cluster), as a discovery's starting point: it reports a set only when it differs.
std::vector<DiscoveredEndpoint> configured_endpoints(const conf::Cluster& cluster);

// Puts a set in its canonical order (by name, then address), so two sets compare equal
// whatever order a resolver or a file listed them in.
void sort_endpoints(std::vector<DiscoveredEndpoint>& endpoints);

}  // namespace ringress::lb
