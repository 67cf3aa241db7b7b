#include "lb/dns_discovery.h"

#include <algorithm>

#include "core/io_op.h"
#include "core/log.h"

namespace ringress::lb {

namespace {

// Ends the resolver's lookups when the discovery is stopped.
struct StopLookups final : core::Cancellable {
  explicit StopLookups(DnsResolver& r) : resolver(r) {}
  void cancel() override { resolver.cancel_all(); }
  DnsResolver& resolver;
};

core::Duration clamp_ttl(std::chrono::seconds ttl, const conf::DnsDiscovery& dns) {
  core::Duration d = ttl;
  core::Duration floor = dns.refresh_floor, ceiling = dns.refresh_ceiling;
  return std::clamp(d, floor, ceiling);
}

// The SRV name asked for an endpoint: "_http._tcp." + name, or the name as written when it
// starts with '_' (a service and protocol of its own).
std::string srv_name(const std::string& name) {
  if (!name.empty() && name.front() == '_') return name;
  return "_http._tcp." + name;
}

}  // namespace

DnsDiscovery::DnsDiscovery(const conf::Cluster& cluster, EndpointsChanged on_change)
    : cluster_(cluster),
      on_change_(std::move(on_change)),
      reported_(configured_endpoints(cluster)) {
  for (const conf::Endpoint& e : cluster.endpoints) {
    if (auto numeric = core::SocketAddress::parse_numeric(e.text)) {
      fixed_.push_back({e.text, *numeric, e.weight, e.backup, e.metadata});
      continue;
    }
    Name name{&e, e.text, 0, {}, {}, false};
    if (cluster.discovery.dns.srv) {
      name.host = srv_name(e.text);
    } else {
      std::string host;
      if (core::split_host_port(e.text, host, name.port)) name.host = host;
    }
    // A name resolved at load (a cluster that was not loaded as dns) starts from those.
    for (const auto& a : e.addresses)
      name.last_good.push_back({e.text, a, e.weight, e.backup, e.metadata});
    names_.push_back(std::move(name));
  }
}

DnsResolver::Options DnsDiscovery::resolver_options() const {
  const conf::DnsDiscovery& dns = cluster_.discovery.dns;
  return {dns.resolvers, dns.timeout, 2};
}

core::Task<void> DnsDiscovery::warm_up() {
  DnsResolver resolver(resolver_options());
  for (Name& name : names_) co_await refresh(resolver, name);
  publish_if_changed();
}

core::Task<void> DnsDiscovery::run(core::CancelToken& stop) {
  DnsResolver resolver(resolver_options());
  if (!resolver.init_error().empty())
    RLOG_ERROR("cluster %s: dns discovery cannot start: %s", cluster_.name.c_str(),
               resolver.init_error().c_str());
  StopLookups stop_lookups(resolver);
  stop.add(stop_lookups);
  stop_ = &stop;
  while (!stop.cancelled()) {
    for (Name& name : names_) {
      if (stop.cancelled()) break;
      if (name.due > core::Clock::now()) continue;
      co_await refresh(resolver, name);
    }
    if (stop.cancelled()) break;
    publish_if_changed();
    core::TimePoint next = core::kNoDeadline;
    for (const Name& name : names_) next = std::min(next, name.due);
    int slept = co_await core::SleepUntil(next, &stop);
    (void)slept;
  }
  stop_ = nullptr;
}

core::Task<void> DnsDiscovery::refresh(DnsResolver& resolver, Name& name) {
  const conf::DnsDiscovery& dns = cluster_.discovery.dns;
  const conf::Endpoint& e = *name.endpoint;
  ++stats_.lookups;
  std::vector<DiscoveredEndpoint> found;
  std::chrono::seconds ttl{0};
  std::string error;
  if (dns.srv) {
    bool ok = co_await refresh_srv(resolver, name, ttl, error);
    if (!ok) {
      failed(name, error);
      co_return;
    }
  } else {
    AddressAnswer answer = co_await resolver.resolve(name.host, name.port, dns.lookup);
    if (!answer.ok()) {
      failed(name, answer.error);
      co_return;
    }
    for (const auto& a : answer.addresses)
      found.push_back({e.text, a, e.weight, e.backup, e.metadata});
    ttl = answer.ttl;
    name.last_good = std::move(found);
  }
  if (name.failing)
    RLOG_INFO("cluster %s: dns lookup of %s succeeds again (%zu addresses)", cluster_.name.c_str(),
              name.host.c_str(), name.last_good.size());
  name.failing = false;
  name.due = core::Clock::now() + clamp_ttl(ttl, dns);
}

core::Task<bool> DnsDiscovery::refresh_srv(DnsResolver& resolver, Name& name,
                                           std::chrono::seconds& ttl, std::string& error) {
  const conf::DnsDiscovery& dns = cluster_.discovery.dns;
  const conf::Endpoint& e = *name.endpoint;
  SrvAnswer srv = co_await resolver.resolve_srv(name.host);
  if (!srv.ok()) {
    error = srv.error;
    co_return false;
  }
  ttl = srv.ttl;
  uint16_t primary = srv.targets.front().priority;
  for (const SrvTarget& t : srv.targets) primary = std::min(primary, t.priority);
  std::vector<DiscoveredEndpoint> found;
  for (const SrvTarget& t : srv.targets) {
    AddressAnswer answer = co_await resolver.resolve(t.host, t.port, dns.lookup);
    if (!answer.ok()) {
      error = "target " + t.host + ": " + answer.error;
      co_return false;
    }
    ttl = std::min(ttl, answer.ttl);
    std::string target = t.host + ":" + std::to_string(t.port);
    // SRV weight 0 means "rarely"; a host set weighs at least 1.
    uint32_t weight = std::max<uint32_t>(1, t.weight);
    bool backup = e.backup || t.priority != primary;
    for (const auto& a : answer.addresses) found.push_back({target, a, weight, backup, e.metadata});
  }
  name.last_good = std::move(found);
  co_return true;
}

void DnsDiscovery::failed(Name& name, const std::string& error) {
  if (stop_ && stop_->cancelled()) return;  // ended by the stop, not by the resolver
  ++stats_.failures;
  if (!name.failing)
    RLOG_WARN("cluster %s: dns lookup of %s failed: %s; keeping its last %zu addresses",
              cluster_.name.c_str(), name.host.c_str(), error.c_str(), name.last_good.size());
  name.failing = true;
  name.due = core::Clock::now() + cluster_.discovery.dns.refresh_floor;
}

void DnsDiscovery::publish_if_changed() {
  std::vector<DiscoveredEndpoint> all = fixed_;
  for (const Name& name : names_)
    all.insert(all.end(), name.last_good.begin(), name.last_good.end());
  sort_endpoints(all);
  // The same address found through two names would be one host twice: keep the first.
  all.erase(std::unique(all.begin(), all.end(),
                        [](const DiscoveredEndpoint& a, const DiscoveredEndpoint& b) {
                          return a.name == b.name && a.address == b.address;
                        }),
            all.end());
  if (all == reported_) return;
  ++stats_.changes;
  RLOG_INFO("cluster %s: dns discovery: %zu hosts (were %zu)", cluster_.name.c_str(), all.size(),
            reported_.size());
  reported_ = all;
  if (on_change_) on_change_(std::move(all));
}

}  // namespace ringress::lb
