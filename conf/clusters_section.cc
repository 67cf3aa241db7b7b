#include "conf/circuit_breakers_section.h"
#include "conf/discovery_section.h"
#include "conf/fingerprint.h"
#include "conf/outlier_section.h"
#include "conf/sections.h"
#include "conf/suggest.h"
#include "core/socket_address.h"

namespace ringress::conf {

namespace {

constexpr int64_t kMaxWeight = 1000;
constexpr Duration kMaxConnectTimeout = std::chrono::minutes(10);
constexpr int64_t kMaxIdlePerHost = 100000;
constexpr Duration kMaxPoolIdleTimeout = std::chrono::hours(1);
constexpr int64_t kMaxRequestsPerConnection = 1'000'000'000;
constexpr int64_t kMaxRingSize = 8388608;  // Envoy's limit
constexpr int64_t kMaxChoiceCount = 100;

const std::vector<std::string_view> kLbPolicies = {"round_robin", "least_request", "random",
                                                   "ring_hash", "maglev"};

// "host:port" -> the addresses it stands for. Numeric addresses are taken as they are; names are
// resolved now (blocking), so a typo fails the load instead of every connection; except with
// discovery = "dns", where discovery resolves them while running.
std::vector<core::SocketAddress> resolve_endpoint(const Value& value, const std::string& text,
                                                  const DiscoverySettings& discovery) {
  if (discovery.kind == DiscoveryKind::dns)
    return dns_endpoint_addresses(value, text, discovery.dns);
  if (auto numeric = core::SocketAddress::parse_numeric(text)) return {*numeric};
  std::string host;
  uint16_t port = 0;
  if (!core::split_host_port(text, host, port))
    value.fail(
        "expected \"host:port\" with a port from 1 to 65535, like \"10.0.0.1:8080\", "
        "\"[::1]:8080\" or \"db.internal:5432\", got " +
        value.describe());
  std::string error;
  auto addresses = core::resolve_host(host, port, error);
  if (addresses.empty())
    value.fail("cannot resolve " + quoted(host) + ": " + (error.empty() ? "no addresses" : error));
  return addresses;
}

// "host:port", or { address = "host:port", weight = N, ... }.
Endpoint read_endpoint(const Value& value, const DiscoverySettings& discovery) {
  Endpoint endpoint;
  if (value.node().is_string()) {
    endpoint.text = value.string();
    endpoint.addresses = resolve_endpoint(value, endpoint.text, discovery);
    return endpoint;
  }
  if (!value.node().is_table())
    value.fail("expected \"host:port\" or { address = \"host:port\", weight = N }, got " +
               value.type());
  Table table = value.table({"address", "weight", "backup", "metadata"});
  Value address = table.require("address");
  endpoint.text = address.string();
  if (auto v = table.get("weight"))
    endpoint.weight = static_cast<uint32_t>(v->integer(1, kMaxWeight));
  if (auto v = table.get("backup")) endpoint.backup = v->boolean();
  read_endpoint_metadata(table, endpoint);
  endpoint.addresses = resolve_endpoint(address, endpoint.text, discovery);
  return endpoint;
}

// The endpoints array of a cluster.
std::vector<Endpoint> read_endpoints(const Value& endpoints, const DiscoverySettings& discovery) {
  std::vector<Endpoint> out;
  std::vector<Value> items = endpoints.array();
  if (items.empty()) endpoints.fail("must list at least one endpoint");
  for (const Value& item : items) {
    Endpoint endpoint = read_endpoint(item, discovery);
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i].text == endpoint.text)
        item.fail(quoted(endpoint.text) + " is already listed as " + endpoints.path() + "[" +
                  std::to_string(i) + "] (give it a weight instead)");
    }
    out.push_back(std::move(endpoint));
  }
  return out;
}

// A settings table of one policy (`key`, for lb_policy = `policy`) on a cluster with another.
void check_policy_settings(const Table& table, std::string_view key, LbPolicy policy,
                           const LbSettings& lb) {
  if (table.has(key) && lb.policy != policy)
    table.fail_key(key, std::string(key) +
                            " holds the settings of lb_policy = " + quoted(lb_policy_name(policy)) +
                            "; this cluster's lb_policy is " + quoted(lb_policy_name(lb.policy)));
}

// lb_policy and the settings table of the policy it names.
LbSettings read_lb_settings(const Table& table) {
  LbSettings lb;
  if (auto v = table.get("lb_policy")) lb.policy = static_cast<LbPolicy>(v->choice(kLbPolicies));
  check_policy_settings(table, "ring_hash", LbPolicy::ring_hash, lb);
  check_policy_settings(table, "least_request", LbPolicy::least_request, lb);
  if (auto v = table.get("ring_hash")) {
    Table ring = v->table({"minimum_ring_size", "maximum_ring_size"});
    if (auto size = ring.get("minimum_ring_size"))
      lb.ring_hash.minimum_ring_size = static_cast<uint32_t>(size->integer(1, kMaxRingSize));
    if (auto size = ring.get("maximum_ring_size"))
      lb.ring_hash.maximum_ring_size = static_cast<uint32_t>(size->integer(1, kMaxRingSize));
    if (lb.ring_hash.minimum_ring_size > lb.ring_hash.maximum_ring_size) {
      std::string_view at =
          ring.has("minimum_ring_size") ? "minimum_ring_size" : "maximum_ring_size";
      ring.get(at)->fail("minimum_ring_size (" + std::to_string(lb.ring_hash.minimum_ring_size) +
                         ") is above maximum_ring_size (" +
                         std::to_string(lb.ring_hash.maximum_ring_size) + ")");
    }
  }
  if (auto v = table.get("least_request")) {
    Table least = v->table({"choice_count"});
    if (auto count = least.get("choice_count"))
      lb.least_request.choice_count = static_cast<uint32_t>(count->integer(2, kMaxChoiceCount));
  }
  return lb;
}

Cluster read_cluster(const Value& value, const std::vector<Cluster>& before) {
  Table table = value.table(
      {"name", "endpoints", "lb_policy", "ring_hash", "least_request", "connect_timeout",
       "max_idle_per_host", "idle_timeout", "max_requests_per_connection", "tls", "health_check",
       "outlier_detection", "panic_threshold", "circuit_breakers", "discovery", "dns", "file"});
  Cluster cluster;
  Value name = table.require("name");
  cluster.name = read_name(name);
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i].name == cluster.name)
      name.fail(quoted(cluster.name) + " is already the name of clusters[" + std::to_string(i) +
                "]");
  }
  cluster.discovery = read_discovery(table);
  if (cluster.discovery.kind == DiscoveryKind::file)
    cluster.endpoints = read_discovery_file(table, cluster.discovery);
  else
    cluster.endpoints = read_endpoints(table.require("endpoints"), cluster.discovery);
  cluster.lb = read_lb_settings(table);
  if (auto v = table.get("connect_timeout"))
    cluster.connect_timeout = v->duration(Duration{1}, kMaxConnectTimeout);
  // The pool of kept-alive connections (http listeners only; tcp ignores it).
  if (auto v = table.get("max_idle_per_host"))
    cluster.pool.max_idle_per_host = static_cast<uint32_t>(v->integer(0, kMaxIdlePerHost));
  if (auto v = table.get("idle_timeout"))
    cluster.pool.idle_timeout = v->duration(Duration{1}, kMaxPoolIdleTimeout);
  if (auto v = table.get("max_requests_per_connection"))
    cluster.pool.max_requests_per_connection =
        static_cast<uint32_t>(v->integer(0, kMaxRequestsPerConnection));
  if (auto v = table.get("tls")) read_cluster_tls(*v, cluster);
  if (auto v = table.get("panic_threshold"))
    cluster.panic_threshold = static_cast<uint32_t>(v->integer(0, 100));
  if (auto v = table.get("circuit_breakers")) cluster.circuit_breakers = read_circuit_breakers(*v);
  if (auto v = table.get("health_check")) cluster.health_check = read_health_check(*v);
  if (auto v = table.get("outlier_detection"))
    cluster.outlier_detection = read_outlier_detection(*v);
  cluster.fingerprint = definition_fingerprint(
      value.node(), {&cluster.tls.ca, &cluster.tls.client_cert, &cluster.tls.client_key});
  return cluster;
}

}  // namespace

std::string_view lb_policy_name(LbPolicy policy) {
  return kLbPolicies[static_cast<size_t>(policy)];
}

size_t find_cluster(const Value& value, const std::vector<Cluster>& clusters) {
  std::string name = value.string();
  std::vector<std::string_view> names;
  for (size_t i = 0; i < clusters.size(); ++i) {
    if (clusters[i].name == name) return i;
    names.push_back(clusters[i].name);
  }
  value.fail("no cluster named " + quoted(name) + did_you_mean(name, names));
}

std::vector<Cluster> read_clusters(const Value& value) {
  if (value.node().is_table())
    value.fail("expected an array of tables: write [[clusters]], not [clusters]");
  std::vector<Cluster> clusters;
  for (const Value& item : value.array()) clusters.push_back(read_cluster(item, clusters));
  return clusters;
}

}  // namespace ringress::conf
