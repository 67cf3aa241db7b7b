#include <algorithm>

#include "conf/format_string.h"
#include "conf/http_sections.h"
#include "conf/sections.h"

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

// Keys only a tcp listener has.
const std::vector<std::string_view> kTcpKeys = {"cluster", "connect_attempts", "sni_routes"};
// Keys both kinds have that http_listener_keys() lists too.
const std::vector<std::string_view> kSharedKeys = {"access_log"};

// The http keys a tcp listener may not have.
std::vector<std::string_view> http_only_keys() {
  std::vector<std::string_view> keys;
  for (std::string_view k : http_listener_keys())
    if (std::find(kSharedKeys.begin(), kSharedKeys.end(), k) == kSharedKeys.end())
      keys.push_back(k);
  return keys;
}

// A tcp listener's access_log: the http filter's table, with the variables of a TCP session.
// The default format of a listener that reads a ClientHello (tls, sni_routes) ends with its SNI.
AccessLog read_tcp_access_log(const Value& value, bool reads_client_hello) {
  AccessLog out;
  Table table = access_log_table(value, out);
  std::string error;
  if (auto v = table.get("format")) {
    auto format = parse_tcp_format(v->string(), error);
    if (!format) v->fail(error);
    out.format = std::move(*format);
  } else {
    out.format = *parse_tcp_format(kDefaultTcpAccessLogFormat, error);
    if (reads_client_hello) {
      out.format.push_back({FormatVar::literal, " "});
      out.format.push_back({FormatVar::requested_server_name, ""});
    }
  }
  return out;
}

// Which protocol the listener speaks: `protocol` if given, else what its keys say (cluster:
// tcp, virtual_hosts: http).
Protocol read_protocol(const Table& table) {
  if (auto v = table.get("protocol")) {
    constexpr Protocol kProtocols[] = {Protocol::tcp, Protocol::http};
    return kProtocols[v->choice({"tcp", "http"})];
  }
  auto keys = table.present({"cluster", "virtual_hosts"});
  if (keys.empty() && table.has("sni_routes")) return Protocol::tcp;
  if (keys.size() == 2)
    table.fail_key(keys[1],
                   "a listener has cluster (tcp: pass connections on) or virtual_hosts (http: "
                   "route requests), not both");
  if (keys.empty())
    table.value().fail(
        "a listener needs cluster (tcp: pass connections on) or virtual_hosts (http: route "
        "requests)");
  return keys[0] == "cluster" ? Protocol::tcp : Protocol::http;
}

// Fails at the first key (in document order) that belongs to the other protocol.
void check_protocol_keys(const Table& table, Protocol protocol) {
  bool tcp = protocol == Protocol::tcp;
  auto wrong = table.present(tcp ? http_only_keys() : kTcpKeys);
  if (wrong.empty()) return;
  std::string_view is = tcp ? "tcp" : "http", other = tcp ? "http" : "tcp";
  // Why the listener is what it is: said outright, or implied by its keys.
  std::string why = table.has("protocol") ? "protocol = " + quoted(is)
                    : tcp                 ? "it has cluster"
                                          : "it has virtual_hosts";
  table.fail_key(wrong[0], std::string(wrong[0]) + " is for " + std::string(other) +
                               " listeners, and this one is " + std::string(is) + " (" + why + ")");
}

Listener read_listener(const Value& value, const std::vector<Cluster>& clusters,
                       const std::vector<Listener>& before) {
  std::vector<std::string_view> keys = {
      "name",         "address", "protocol",         "backlog",    "max_connections",
      "idle_timeout", "cluster", "connect_attempts", "sni_routes", "tls"};
  keys.insert(keys.end(), http_listener_keys().begin(), http_listener_keys().end());
  Table table = value.table(keys);
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
  listener.protocol = read_protocol(table);
  check_protocol_keys(table, listener.protocol);
  if (auto v = table.get("backlog"))
    listener.backlog = static_cast<uint32_t>(v->integer(1, kMaxBacklog));
  if (auto v = table.get("max_connections"))
    listener.max_connections = static_cast<uint32_t>(v->integer(1, kMaxConnections));
  if (auto v = table.get("tls")) read_listener_tls(*v, listener);
  if (listener.protocol == Protocol::http) {
    listener.http = read_http(table, clusters);  // idle_timeout included
    return listener;
  }
  if (auto v = table.get("sni_routes")) listener.sni_routes = read_sni_routes(*v, clusters);
  if (auto v = table.get("cluster"))
    listener.cluster = find_cluster(*v, clusters);
  else if (listener.sni_routes.empty())
    listener.cluster = find_cluster(table.require("cluster"), clusters);
  else
    listener.has_cluster = false;
  if (auto v = table.get("idle_timeout"))
    listener.idle_timeout = v->duration(Duration{1}, kMaxIdleTimeout);
  if (auto v = table.get("connect_attempts"))
    listener.connect_attempts = static_cast<uint32_t>(v->integer(1, kMaxConnectAttempts));
  if (auto v = table.get("access_log"))
    listener.access_log =
        read_tcp_access_log(*v, listener.tls.enabled || !listener.sni_routes.empty());
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
