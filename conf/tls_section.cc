// The tls tables of listeners (termination) and clusters (origination), and a tcp listener's
// sni_routes. The wolfSSL contexts are built here, at load, so a certificate that cannot be
// read, a key that does not match, an expired certificate or an unusable cipher list is a
// config error at the key that names it (and `--validate` reports it).
#include <filesystem>

#include "conf/sections.h"
#include "conf/suggest.h"
#include "tls/client_context.h"
#include "tls/server_context.h"

namespace ringress::conf {

namespace {

constexpr Duration kMaxHandshakeTimeout = std::chrono::minutes(5);

// A file named in the config: relative paths are relative to the config file's directory.
std::string read_path(const Value& value) {
  std::string text = value.string();
  if (text.empty()) value.fail("expected a file path, got an empty string");
  std::filesystem::path p(text);
  if (p.is_relative()) p = std::filesystem::path(value.file()).parent_path() / p;
  return p.lexically_normal().string();
}

tls::Version read_version(const Value& value) {
  return value.choice({"1.2", "1.3"}) == 0 ? tls::Version::tls1_2 : tls::Version::tls1_3;
}

std::vector<std::string> read_alpn(const Value& value) {
  std::vector<std::string> out;
  for (const Value& item : value.array()) {
    std::string p = item.string();
    if (p.empty() || p.size() > 255 || p.find(',') != std::string::npos)
      item.fail("expected a protocol name like \"http/1.1\", got " + item.describe());
    out.push_back(std::move(p));
  }
  return out;
}

// A server name pattern: "a.example.com" or "*.example.com", stored lowercase.
std::string read_server_name(const Value& value) {
  std::string name = value.string();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view rest = name;
  if (rest.starts_with("*.")) rest.remove_prefix(2);
  bool ok = !rest.empty() && rest.size() <= 253 && rest.front() != '.' && rest.back() != '.';
  for (char c : rest) ok &= std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  if (!ok || rest.find('*') != std::string_view::npos)
    value.fail("expected a server name like \"api.example.com\" or \"*.example.com\", got " +
               value.describe());
  return name;
}

// Runs `build`, turning a tls::SettingError into a ConfigError at the key it names.
template <typename Build>
auto build_context(const Value& tls_value, Build build) {
  try {
    return build();
  } catch (const tls::SettingError& e) {
    auto node = toml::at_path(tls_value.node(), e.key());
    if (node.node())
      Value(tls_value.file(), *node.node(), tls_value.path() + "." + e.key()).fail(e.what());
    tls_value.fail(e.what());
  }
}

}  // namespace

const std::vector<std::string_view>& tls_listener_keys() {
  static const std::vector<std::string_view> keys = {"certificates",
                                                     "min_version",
                                                     "max_version",
                                                     "ciphers",
                                                     "curves",
                                                     "alpn",
                                                     "client_ca",
                                                     "client_certificate",
                                                     "session_tickets",
                                                     "handshake_timeout",
                                                     "forward_client_cert"};
  return keys;
}

void read_listener_tls(const Value& value, Listener& listener) {
  Table table = value.table(tls_listener_keys());
  tls::ServerSettings& s = listener.tls;
  s.enabled = true;
  Value certs = table.require("certificates");
  std::vector<Value> items = certs.array();
  if (items.empty()) certs.fail("must list at least one { cert = \"...\", key = \"...\" }");
  for (const Value& item : items) {
    Table t = item.table({"cert", "key", "server_names"});
    tls::CertificateFiles files;
    files.cert = read_path(t.require("cert"));
    files.key = read_path(t.require("key"));
    if (auto v = t.get("server_names"))
      for (const Value& n : v->array()) files.server_names.push_back(read_server_name(n));
    s.certificates.push_back(std::move(files));
  }
  if (auto v = table.get("min_version")) s.min_version = read_version(*v);
  if (auto v = table.get("max_version")) s.max_version = read_version(*v);
  if (auto v = table.get("ciphers")) s.ciphers = v->string();
  if (auto v = table.get("curves")) s.curves = v->string();
  if (listener.protocol == Protocol::http) s.alpn = {"http/1.1"};
  if (auto v = table.get("alpn")) s.alpn = read_alpn(*v);
  if (auto v = table.get("client_ca")) {
    s.client_ca = read_path(*v);
    s.client_certificate = tls::ClientCertMode::required;
  }
  if (auto v = table.get("client_certificate")) {
    constexpr tls::ClientCertMode kModes[] = {
        tls::ClientCertMode::none, tls::ClientCertMode::optional, tls::ClientCertMode::required};
    s.client_certificate = kModes[v->choice({"none", "optional", "required"})];
    if (s.client_certificate != tls::ClientCertMode::none && s.client_ca.empty())
      v->fail("client certificates need client_ca (the CA file to verify them against)");
  }
  if (auto v = table.get("session_tickets")) s.session_tickets = v->boolean();
  if (auto v = table.get("handshake_timeout"))
    s.handshake_timeout = v->duration(Duration{1}, kMaxHandshakeTimeout);
  if (auto v = table.get("forward_client_cert")) {
    if (listener.protocol != Protocol::http)
      table.fail_key("forward_client_cert", "forward_client_cert is for http listeners");
    s.forward_client_cert = v->boolean();
    if (s.forward_client_cert && s.client_certificate == tls::ClientCertMode::none)
      v->fail("forward_client_cert needs client certificates (set client_ca)");
  }
  listener.tls_context = build_context(value, [&] { return tls::ServerContext::create(s); });
}

void read_cluster_tls(const Value& value, Cluster& cluster) {
  tls::ClientSettings& s = cluster.tls;
  if (value.node().is_boolean()) {
    s.enabled = value.boolean();
  } else {
    Table table =
        value.table({"ca", "verify", "server_name", "client_cert", "client_key", "min_version",
                     "max_version", "ciphers", "curves", "alpn", "session_reuse"});
    s.enabled = true;
    if (auto v = table.get("ca")) s.ca = read_path(*v);
    if (auto v = table.get("verify")) s.verify = v->boolean();
    if (auto v = table.get("server_name")) {
      s.server_name = read_server_name(*v);
      if (s.server_name.starts_with("*.")) v->fail("server_name cannot be a wildcard");
    }
    if (auto v = table.get("client_cert")) s.client_cert = read_path(*v);
    if (auto v = table.get("client_key")) s.client_key = read_path(*v);
    if (auto v = table.get("min_version")) s.min_version = read_version(*v);
    if (auto v = table.get("max_version")) s.max_version = read_version(*v);
    if (auto v = table.get("ciphers")) s.ciphers = v->string();
    if (auto v = table.get("curves")) s.curves = v->string();
    if (auto v = table.get("alpn")) s.alpn = read_alpn(*v);
    if (auto v = table.get("session_reuse")) s.session_reuse = v->boolean();
  }
  if (!s.enabled) return;
  if (s.verify && s.server_name.empty()) {
    for (const Endpoint& e : cluster.endpoints) {
      std::string host;
      uint16_t port = 0;
      if (core::split_host_port(e.text, host, port) && tls::is_ip_literal(host))
        value.fail("endpoint " + conf::quoted(e.text) +
                   " is an IP address: set server_name to the name its certificate must carry "
                   "(or verify = false)");
    }
  }
  cluster.tls_context = build_context(value, [&] { return tls::ClientContext::create(s); });
}

std::vector<SniRoute> read_sni_routes(const Value& value, const std::vector<Cluster>& clusters) {
  std::vector<SniRoute> routes;
  for (const Value& item : value.array()) {
    Table t = item.table({"server_names", "cluster"});
    SniRoute route;
    Value names = t.require("server_names");
    for (const Value& n : names.array()) route.server_names.push_back(read_server_name(n));
    if (route.server_names.empty()) names.fail("must list at least one server name");
    route.cluster = find_cluster(t.require("cluster"), clusters);
    routes.push_back(std::move(route));
  }
  if (routes.empty()) value.fail("must list at least one { server_names = [...], cluster = ... }");
  return routes;
}

}  // namespace ringress::conf
