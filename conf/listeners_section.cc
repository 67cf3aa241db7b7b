#include "conf/sections.h"
#include "conf/suggest.h"

namespace ringress::conf {

namespace {

constexpr Duration kMaxIdleTimeout = std::chrono::hours(24 * 7);
constexpr int64_t kMaxConnectAttempts = 16;
constexpr int64_t kMaxBacklog = 65535;
constexpr int64_t kMaxConnections = 10'000'000;

// A numeric "ip:port": listeners bind, and binding to a name would hide which address it is.
core::SocketAddress read_bind_address(const Value& value, const std::string& text) {
  if (auto address = core::SocketAddress::parse_numeric(text)) return *address;
  std::string host;
  uint16_t port = 0;
  if (core::split_host_port(text, host, port))
    value.fail("a listener address must be a numeric IP, like \"0.0.0.0:" + std::to_string(port) +
               "\" or \"[::]:" + std::to_string(port) + "\", got " + value.describe());
  value.fail(
      "expected \"ip:port\" with a port from 1 to 65535, like \"0.0.0.0:8000\" or "
      "\"[::1]:8000\", got " +
      value.describe());
}

// The index of the cluster named by `value`.
size_t find_cluster(const Value& value, const std::vector<Cluster>& clusters) {
  std::string name = value.string();
  std::vector<std::string_view> names;
  for (size_t i = 0; i < clusters.size(); ++i) {
    if (clusters[i].name == name) return i;
    names.push_back(clusters[i].name);
  }
  value.fail("no cluster named " + quoted(name) + did_you_mean(name, names));
}

Listener read_listener(const Value& value, const std::vector<Cluster>& clusters,
                       const std::vector<Listener>& before) {
  Table table = value.table({"name", "address", "protocol", "cluster", "idle_timeout",
                             "connect_attempts", "backlog", "max_connections"});
  Listener listener;
  Value name = table.require("name");
  listener.name = read_name(name);
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i].name == listener.name)
      name.fail(quoted(listener.name) + " is already the name of listeners[" + std::to_string(i) +
                "]");
  }
  Value address = table.require("address");
  listener.address_text = address.string();
  listener.address = read_bind_address(address, listener.address_text);
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i].address == listener.address)
      address.fail(quoted(listener.address_text) + " is already the address of listeners[" +
                   std::to_string(i) + "] (" + quoted(before[i].name) + ")");
  }
  if (auto v = table.get("protocol")) {
    constexpr Protocol kProtocols[] = {Protocol::tcp};
    listener.protocol = kProtocols[v->choice({"tcp"})];
  }
  listener.cluster = find_cluster(table.require("cluster"), clusters);
  if (auto v = table.get("idle_timeout"))
    listener.idle_timeout = v->duration(Duration{1}, kMaxIdleTimeout);
  if (auto v = table.get("connect_attempts"))
    listener.connect_attempts = static_cast<uint32_t>(v->integer(1, kMaxConnectAttempts));
  if (auto v = table.get("backlog"))
    listener.backlog = static_cast<uint32_t>(v->integer(1, kMaxBacklog));
  if (auto v = table.get("max_connections"))
    listener.max_connections = static_cast<uint32_t>(v->integer(1, kMaxConnections));
  return listener;
}

}  // namespace

std::vector<Listener> read_listeners(const Value& value, const std::vector<Cluster>& clusters) {
  if (value.node().is_table())
    value.fail("expected an array of tables: write [[listeners]], not [listeners]");
  std::vector<Listener> listeners;
  for (const Value& item : value.array())
    listeners.push_back(read_listener(item, clusters, listeners));
  if (listeners.empty()) value.fail("a config needs at least one [[listeners]] table");
  return listeners;
}

}  // namespace ringress::conf
