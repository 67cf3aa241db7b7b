// Config: the validated, immutable snapshot that a TOML file turns into. Plain structs only;
// nothing here touches live objects. Everything is checked at load (names resolve, references
// exist, values are in range), so the layers above can use it without re-validating.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "conf/admin.h"
#include "conf/circuit_breakers.h"
#include "conf/discovery.h"
#include "conf/health_check.h"
#include "conf/http_config.h"
#include "conf/outlier.h"
#include "conf/units.h"
#include "core/socket_address.h"
#include "tls/client_context.h"
#include "tls/server_context.h"
#include "tls/settings.h"

namespace ringress::conf {

// Duration (std::chrono::milliseconds) is declared in conf/units.h, with the "5s" parser.

enum class LogLevel { debug, info, warn, error };

struct Runtime {
  unsigned workers = 0;                // 0 = one per CPU
  Duration drain_timeout{15000};       // SIGTERM: how long open connections may finish
  uint32_t buffer_size = 16384;        // bytes per receive buffer (provided-buffer ring)
  uint32_t buffers_per_worker = 4096;  // receive buffers per worker (power of two)
  uint32_t connection_buffer = 65536;  // bytes a connection may hold queued before reads pause
  LogLevel log_level = LogLevel::info;
  // The binary-upgrade Unix socket (docs/operations.md), resolved against the config file's
  // directory; "" = not set (--upgrade-socket wins over it; else "<config path>.sock").
  std::string upgrade_socket;
};

struct Endpoint {
  std::string text;                            // as written: "10.0.0.1:80" or "db.internal:5432"
  std::vector<core::SocketAddress> addresses;  // resolved at load; empty only for a dns name
  uint32_t weight = 1;
  bool backup = false;  // priority 1: used only when too few primary hosts are available
  std::map<std::string, std::string> metadata{};  // `metadata = { k = "v" }`, free-form
};

// How a cluster chooses a host for each request or connection (lb/load_balancer.h).
enum class LbPolicy { round_robin, least_request, random, ring_hash, maglev };
struct RingHashSettings {
  // Points on the ring: scaled so the lightest host gets a whole number of them, at least the
  // minimum and at most the maximum in total (Envoy's defaults and limit).
  uint32_t minimum_ring_size = 1024;
  uint32_t maximum_ring_size = 8388608;
};
struct LeastRequestSettings {
  uint32_t choice_count = 2;  // hosts drawn per pick (equal weights)
};
struct LbSettings {
  LbPolicy policy = LbPolicy::round_robin;
  RingHashSettings ring_hash;
  LeastRequestSettings least_request;
  // ring_hash and maglev place a request by its hash key (a route's hash_policy).
  bool hashes() const { return policy == LbPolicy::ring_hash || policy == LbPolicy::maglev; }
};
// "round_robin", "least_request", ...: the name the config uses.
std::string_view lb_policy_name(LbPolicy policy);

struct Cluster {
  std::string name;
  std::vector<Endpoint> endpoints;  // never empty
  DiscoverySettings discovery;      // static, dns or file (conf/discovery.h)
  LbSettings lb;
  Duration connect_timeout{1000};
  PoolSettings pool;                                      // http upstream keep-alive
  tls::ClientSettings tls;                                // origination
  std::shared_ptr<const tls::ClientContext> tls_context;  // built at load when tls.enabled
  uint32_t panic_threshold = 50;            // percent of hosts available below which all are used
  CircuitBreakers circuit_breakers;         // conf/circuit_breakers.h
  std::optional<HealthCheck> health_check;  // active checks (lb/health_checker.h)
  std::optional<OutlierDetection> outlier_detection;  // passive checks (conf/outlier.h)
  // Its table's canonical TOML and the files it names (conf/fingerprint.h): a reload keeps a
  // cluster whose name and fingerprint are unchanged.
  std::string fingerprint;
};

// A tcp listener's choice of cluster by the server name in the client's TLS ClientHello.
struct SniRoute {
  std::vector<std::string> server_names;  // exact or "*.suffix", lowercase
  size_t cluster = 0;
};

enum class Protocol { tcp, http };

struct Listener {
  std::string name;
  std::string address_text;
  core::SocketAddress address;
  Protocol protocol = Protocol::tcp;
  uint32_t backlog = 4096;
  uint32_t max_connections = 100000;  // per worker; further accepts are closed at once
  tls::ServerSettings tls;            // termination
  std::shared_ptr<const tls::ServerContext> tls_context;  // built at load when tls.enabled
  // tcp
  size_t cluster = 0;                // index into Config::clusters
  bool has_cluster = true;           // false: only sni_routes (no match closes the connection)
  std::vector<SniRoute> sni_routes;  // pick the cluster by the ClientHello's server name
  Duration idle_timeout{3600000};    // no bytes either way for this long closes both sides
  uint32_t connect_attempts = 3;     // endpoints tried before giving up on a connection
  // access_log: one line per session, with the variables of a TCP session.
  std::optional<AccessLog> access_log;
  // http
  HttpSettings http;
};

struct Config {
  std::string path;  // the file it came from
  Runtime runtime;
  std::vector<Listener> listeners;
  std::vector<Cluster> clusters;
  AdminSettings admin;  // [admin] (conf/admin.h)
};

// A config mistake, with its place. what() is "file:line:column: key: message".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, uint32_t line, uint32_t column, std::string key,
              std::string message);
  const std::string& file() const { return file_; }
  uint32_t line() const { return line_; }
  uint32_t column() const { return column_; }
  const std::string& key() const { return key_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  uint32_t line_, column_;
  std::string key_, message_;
};

// Reads, parses and validates a config file. Throws ConfigError.
Config load_config(const std::string& path);
// The whole file (what load_config reads), or a ConfigError at 0:0 with strerror's text.
std::string read_config_file(const std::string& path);
// Same as load_config, from text already in memory; `path` only names it in errors.
Config parse_config(std::string_view text, const std::string& path);

}  // namespace ringress::conf
