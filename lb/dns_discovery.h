// DnsDiscovery: a dns cluster's endpoints, re-resolved while running (discovery = "dns"), on the
// control loop's thread and without blocking it (lb/dns_resolver.h drives c-ares through the
// ring).
//
// Each endpoint name is looked up on its own schedule: again after its answer's least TTL,
// clamped to [refresh_floor, refresh_ceiling]. A/AAAA records as `lookup` asks; with srv = true
// the name's SRV records (_http._tcp.<name>) give targets, ports and weights (a target of a
// priority above the least one is a backup), and each target's addresses are looked up too.
// A lookup that fails (an error, no answer, no address) keeps the name's last good addresses
// and is retried after refresh_floor; the first failure of a streak is logged, and the first
// success after it. Numeric endpoints are kept as they are. The cluster's whole set goes to
// `on_change` only when it differs from the last one reported (the config's set at first).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "conf/config.h"
#include "core/cancel_token.h"
#include "core/clock.h"
#include "core/task.h"
#include "lb/discovered_endpoints.h"
#include "lb/dns_resolver.h"

namespace ringress::lb {

struct DnsDiscoveryStats {
  uint64_t lookups = 0;   // refreshes of a name (an SRV name and its targets count once)
  uint64_t failures = 0;  // refreshes that failed (the last good set was kept)
  uint64_t changes = 0;   // sets reported to on_change
};

class DnsDiscovery {
 public:
  // `cluster` (discovery = "dns") must outlive this object.
  DnsDiscovery(const conf::Cluster& cluster, EndpointsChanged on_change);

  // Looks every name up once (each lookup bounded by the resolver's timeouts) and reports the
  // set if it changed; run() then carries on from there. For the first host set before the
  // workers start.
  core::Task<void> warm_up();

  // Resolves until `stop` is cancelled (a lookup in flight then ends at once). On the control
  // loop's reactor thread.
  core::Task<void> run(core::CancelToken& stop);

  const DnsDiscoveryStats& stats() const { return stats_; }
  // The set last reported (or the config's, before the first report).
  const std::vector<DiscoveredEndpoint>& current() const { return reported_; }

 private:
  struct Name {
    const conf::Endpoint* endpoint;
    std::string host;  // the name looked up ("web.internal", or the SRV name)
    uint16_t port = 0;
    std::vector<DiscoveredEndpoint> last_good;
    core::TimePoint due{};
    bool failing = false;
  };

  DnsResolver::Options resolver_options() const;
  core::Task<void> refresh(DnsResolver& resolver, Name& name);
  core::Task<bool> refresh_srv(DnsResolver& resolver, Name& name, std::chrono::seconds& ttl,
                               std::string& error);
  void failed(Name& name, const std::string& error);
  void publish_if_changed();

  const conf::Cluster& cluster_;
  EndpointsChanged on_change_;
  std::vector<Name> names_;
  std::vector<DiscoveredEndpoint> fixed_;     // numeric endpoints
  std::vector<DiscoveredEndpoint> reported_;  // sorted
  DnsDiscoveryStats stats_;
  core::CancelToken* stop_ = nullptr;  // while run() runs
};

}  // namespace ringress::lb
