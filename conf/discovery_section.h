// The discovery, dns and file keys of a [[clusters]] table, and what they change in reading its
// endpoints. Internal to conf/.
#pragma once

#include <string>
#include <vector>

#include "conf/config.h"
#include "conf/discovery.h"
#include "conf/reader.h"

namespace ringress::conf {

// discovery, dns and file of a cluster table. With discovery = "file", the table may not have
// `endpoints` (they come from the file).
DiscoverySettings read_discovery(const Table& table);

// The endpoints of a file-discovery cluster, read from its file at load so a bad file fails the
// load (errors name the endpoints file's line and column; a file that cannot be read is reported
// at the config's file.path).
std::vector<Endpoint> read_discovery_file(const Table& table, const DiscoverySettings& discovery);

// A dns-discovery endpoint's addresses at load: a numeric address as it is; a name is checked
// ("host:port", or a bare name with srv = true) and left unresolved (empty), for discovery to fill.
std::vector<core::SocketAddress> dns_endpoint_addresses(const Value& value, const std::string& text,
                                                        const DnsDiscovery& dns);

// An endpoint table's `metadata = { key = "value" }` (strings, at most 64 entries).
void read_endpoint_metadata(const Table& table, Endpoint& endpoint);

}  // namespace ringress::conf
