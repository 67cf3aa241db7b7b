// How a cluster finds its endpoints' addresses: `discovery = "static"` (resolved once at load),
// "dns" (names re-resolved while running, honouring TTLs within a floor and a ceiling) or
// "file" (endpoints read from a JSON or TOML file that a registry agent rewrites). Plain
// settings; lb/dns_discovery.h and lb/file_discovery.h act on them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "conf/units.h"
#include "core/socket_address.h"

namespace ringress::conf {

struct Endpoint;

enum class DiscoveryKind { static_endpoints, dns, file };
// Which address records a dns lookup asks for.
enum class DnsLookup { v4, v6, all };

struct DnsDiscovery {
  // An answer's TTL is clamped to [refresh_floor, refresh_ceiling] to give the time of the next
  // lookup of that name; a failed lookup is retried after refresh_floor.
  Duration refresh_floor{1000};
  Duration refresh_ceiling{60000};
  // Endpoints are SRV names: "web.internal" asks for _http._tcp.web.internal (a name that starts
  // with '_' is asked as written); the records give targets, ports, weights and priorities.
  bool srv = false;
  // Name servers ("127.0.0.1:5353", "[::1]:53"); empty: those of /etc/resolv.conf.
  std::vector<core::SocketAddress> resolvers;
  DnsLookup lookup = DnsLookup::v4;
  Duration timeout{1000};  // per query attempt (c-ares), two attempts per server
};

enum class EndpointsFormat { json, toml };
struct FileDiscovery {
  std::string path;  // absolute (a relative path in the config is relative to its directory)
  EndpointsFormat format = EndpointsFormat::json;
};

struct DiscoverySettings {
  DiscoveryKind kind = DiscoveryKind::static_endpoints;
  DnsDiscovery dns;
  FileDiscovery file;
};

// "static", "dns", "file"; "v4", "v6", "all"; "json", "toml": the names the config uses.
std::string_view discovery_kind_name(DiscoveryKind kind);
std::string_view dns_lookup_name(DnsLookup lookup);
std::string_view endpoints_format_name(EndpointsFormat format);

// Reads and checks an endpoints file (the format of file discovery):
//   JSON: {"endpoints": [{"address": "10.0.0.1:80", "weight": 2, "backup": false,
//                         "metadata": {"zone": "a"}}, ...]}
//   TOML: [[endpoints]] tables with the same keys.
// Addresses are numeric ("10.0.0.1:80", "[::1]:80"): a registry writes addresses, and reading
// them never blocks on a resolver. Throws ConfigError naming the file, line and column.
std::vector<Endpoint> read_endpoints_file(const std::string& path, EndpointsFormat format);

}  // namespace ringress::conf
