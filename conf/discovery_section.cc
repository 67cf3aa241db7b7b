// A cluster's discovery, dns and file keys, the backup and metadata of an endpoint, and the
// endpoints file of file discovery (JSON or TOML).
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <cerrno>
#include <cstring>

#include "conf/discovery_section.h"
#include "conf/json.h"
#include "conf/suggest.h"

namespace ringress::conf {

namespace {

constexpr int64_t kMaxWeight = 1000;  // as for static endpoints
constexpr Duration kMaxRefresh = std::chrono::hours(24);
constexpr Duration kMaxDnsTimeout = std::chrono::seconds(30);
constexpr size_t kMaxResolvers = 3;  // c-ares asks them in order; more would not be reached
constexpr size_t kMaxMetadata = 64;

const std::vector<std::string_view> kKinds = {"static", "dns", "file"};
const std::vector<std::string_view> kLookups = {"v4", "v6", "all"};
const std::vector<std::string_view> kFormats = {"json", "toml"};
const std::vector<std::string_view> kFileEndpointKeys = {"address", "weight", "backup", "metadata"};

// A settings table (`key`) that only a cluster with discovery = `kind` reads.
void check_discovery_settings(const Table& table, std::string_view key, DiscoveryKind kind,
                              DiscoveryKind actual) {
  if (table.has(key) && kind != actual)
    table.fail_key(
        key, std::string(key) +
                 " holds the settings of discovery = " + conf::quoted(discovery_kind_name(kind)) +
                 "; this cluster's discovery is " + conf::quoted(discovery_kind_name(actual)));
}

DnsDiscovery read_dns(const Value& value) {
  Table table =
      value.table({"refresh_floor", "refresh_ceiling", "srv", "resolvers", "lookup", "timeout"});
  DnsDiscovery dns;
  if (auto v = table.get("refresh_floor"))
    dns.refresh_floor = v->duration(std::chrono::milliseconds(100), kMaxRefresh);
  if (auto v = table.get("refresh_ceiling"))
    dns.refresh_ceiling = v->duration(std::chrono::milliseconds(100), kMaxRefresh);
  if (dns.refresh_floor > dns.refresh_ceiling) {
    std::string_view at = table.has("refresh_floor") ? "refresh_floor" : "refresh_ceiling";
    table.get(at)->fail("refresh_floor (" + format_duration(dns.refresh_floor) +
                        ") is above refresh_ceiling (" + format_duration(dns.refresh_ceiling) +
                        ")");
  }
  if (auto v = table.get("srv")) dns.srv = v->boolean();
  if (auto v = table.get("lookup")) dns.lookup = static_cast<DnsLookup>(v->choice(kLookups));
  if (auto v = table.get("timeout")) dns.timeout = v->duration(Duration{1}, kMaxDnsTimeout);
  if (auto v = table.get("resolvers")) {
    std::vector<Value> items = v->array();
    if (items.empty())
      v->fail(
          "list at least one resolver, or leave resolvers out to use "
          "/etc/resolv.conf");
    if (items.size() > kMaxResolvers)
      items[kMaxResolvers].fail("at most " + std::to_string(kMaxResolvers) + " resolvers");
    for (const Value& item : items) {
      std::string text = item.string();
      auto address = core::SocketAddress::parse_numeric(text);
      if (!address)
        item.fail("expected a numeric \"ip:port\" like \"127.0.0.1:53\" or \"[::1]:53\", got " +
                  item.describe());
      dns.resolvers.push_back(*address);
    }
  }
  return dns;
}

// A file named in the config: relative to the config file's directory.
std::string config_relative_path(const Value& value) {
  std::string text = value.string();
  if (text.empty()) value.fail("expected a file path, got an empty string");
  std::filesystem::path p(text);
  if (p.is_relative()) p = std::filesystem::path(value.file()).parent_path() / p;
  return p.lexically_normal().string();
}

FileDiscovery read_file_settings(const Value& value) {
  Table table = value.table({"path", "format"});
  FileDiscovery file;
  Value path = table.require("path");
  file.path = config_relative_path(path);
  if (auto v = table.get("format")) {
    file.format = static_cast<EndpointsFormat>(v->choice(kFormats));
  } else {
    std::string extension = std::filesystem::path(file.path).extension().string();
    if (extension == ".json")
      file.format = EndpointsFormat::json;
    else if (extension == ".toml")
      file.format = EndpointsFormat::toml;
    else
      path.fail("cannot tell the format from the name " + conf::quoted(file.path) +
                ": name it .json or .toml, or set format = \"json\" or \"toml\"");
  }
  return file;
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, 0, 0, "", std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path, 0, 0, "", "read error");
  return text.str();
}

// A file endpoint's address: numeric only.
core::SocketAddress numeric_address(const std::string& text, auto&& fail) {
  auto address = core::SocketAddress::parse_numeric(text);
  if (!address)
    fail("expected a numeric address \"ip:port\" like \"10.0.0.1:8080\" or \"[::1]:8080\", got " +
         conf::quoted(text));
  return *address;
}

void check_unique(const std::vector<Endpoint>& endpoints, const Endpoint& endpoint, auto&& fail) {
  for (size_t i = 0; i < endpoints.size(); ++i)
    if (endpoints[i].addresses.front() == endpoint.addresses.front())
      fail(conf::quoted(endpoint.text) + " is already listed as endpoints[" + std::to_string(i) +
           "]");
}

// --- TOML endpoints file ---

std::vector<Endpoint> read_toml_endpoints(const std::string& path, const std::string& text) {
  toml::table document;
  try {
    document = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    fail_at(path, e.source().begin, "", std::string(e.description()));
  }
  Value root(path, document, "");
  Table table = root.table({"endpoints"});
  Value list = table.require("endpoints");
  std::vector<Endpoint> endpoints;
  std::vector<Value> items = list.array();
  if (items.empty()) list.fail("must list at least one endpoint");
  for (const Value& item : items) {
    Table entry = item.table(kFileEndpointKeys);
    Value address = entry.require("address");
    Endpoint endpoint;
    endpoint.text = address.string();
    endpoint.addresses = {
        numeric_address(endpoint.text, [&](const std::string& m) { address.fail(m); })};
    if (auto v = entry.get("weight"))
      endpoint.weight = static_cast<uint32_t>(v->integer(1, kMaxWeight));
    if (auto v = entry.get("backup")) endpoint.backup = v->boolean();
    read_endpoint_metadata(entry, endpoint);
    check_unique(endpoints, endpoint, [&](const std::string& m) { address.fail(m); });
    endpoints.push_back(std::move(endpoint));
  }
  return endpoints;
}

// --- JSON endpoints file ---

class JsonReader {
 public:
  explicit JsonReader(const std::string& path) : path_(path) {}

  [[noreturn]] void fail(const JsonValue& at, const std::string& key,
                         const std::string& message) const {
    throw ConfigError(path_, at.line, at.column, key, message);
  }

  void expect(const JsonValue& value, JsonValue::Type type, const std::string& key,
              std::string_view what) const {
    if (value.type != type)
      fail(value, key,
           "expected " + std::string(what) + ", got " + std::string(json_type_name(value.type)));
  }

  // An object whose member names must all be in `known`.
  void object(const JsonValue& value, const std::string& key,
              const std::vector<std::string_view>& known) const {
    expect(value, JsonValue::Type::object, key, "an object");
    for (const auto& [name, member] : value.members) {
      bool is_known = false;
      for (std::string_view k : known) is_known |= (name == k);
      if (!is_known) fail(member, join(key, name), "unknown key" + did_you_mean(name, known));
    }
  }

  static std::string join(const std::string& key, std::string_view name) {
    return key.empty() ? std::string(name) : key + "." + std::string(name);
  }

  std::vector<Endpoint> endpoints(const JsonValue& root) const {
    object(root, "", {"endpoints"});
    const JsonValue* list = root.find("endpoints");
    if (!list) fail(root, "endpoints", "missing key \"endpoints\"");
    expect(*list, JsonValue::Type::array, "endpoints", "an array");
    if (list->items.empty()) fail(*list, "endpoints", "must list at least one endpoint");
    std::vector<Endpoint> out;
    for (size_t i = 0; i < list->items.size(); ++i)
      out.push_back(endpoint(list->items[i], "endpoints[" + std::to_string(i) + "]", out));
    return out;
  }

 private:
  Endpoint endpoint(const JsonValue& value, const std::string& key,
                    const std::vector<Endpoint>& before) const {
    object(value, key, kFileEndpointKeys);
    Endpoint endpoint;
    const JsonValue* address = value.find("address");
    if (!address) fail(value, key, "missing key \"address\"");
    std::string address_key = key + ".address";
    expect(*address, JsonValue::Type::string, address_key, "a string");
    endpoint.text = address->text;
    auto fail_address = [&](const std::string& m) { fail(*address, address_key, m); };
    endpoint.addresses = {numeric_address(endpoint.text, fail_address)};
    if (const JsonValue* weight = value.find("weight"))
      endpoint.weight = integer(*weight, key + ".weight", 1, kMaxWeight);
    if (const JsonValue* backup = value.find("backup")) {
      expect(*backup, JsonValue::Type::boolean, key + ".backup", "true or false");
      endpoint.backup = backup->boolean;
    }
    if (const JsonValue* metadata = value.find("metadata")) {
      std::string metadata_key = key + ".metadata";
      expect(*metadata, JsonValue::Type::object, metadata_key, "an object");
      if (metadata->members.size() > kMaxMetadata)
        fail(*metadata, metadata_key, "at most " + std::to_string(kMaxMetadata) + " entries");
      for (const auto& [name, item] : metadata->members) {
        expect(item, JsonValue::Type::string, join(metadata_key, name), "a string");
        endpoint.metadata[name] = item.text;
      }
    }
    check_unique(before, endpoint, fail_address);
    return endpoint;
  }

  uint32_t integer(const JsonValue& value, const std::string& key, int64_t min, int64_t max) const {
    expect(value, JsonValue::Type::number, key, "an integer");
    int64_t n = 0;
    const char* end = value.text.data() + value.text.size();
    auto [ptr, ec] = std::from_chars(value.text.data(), end, n);
    if (ec == std::errc() && ptr != end) fail(value, key, "expected an integer, got " + value.text);
    if (ec != std::errc() || n < min || n > max)
      fail(value, key,
           "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
               value.text);
    return static_cast<uint32_t>(n);
  }

  const std::string& path_;
};

std::vector<Endpoint> read_json_endpoints(const std::string& path, const std::string& text) {
  JsonValue root;
  try {
    root = parse_json(text);
  } catch (const JsonError& e) {
    throw ConfigError(path, e.line(), e.column(), "", e.what());
  }
  return JsonReader(path).endpoints(root);
}

}  // namespace

std::string_view discovery_kind_name(DiscoveryKind kind) {
  return kKinds[static_cast<size_t>(kind)];
}
std::string_view dns_lookup_name(DnsLookup lookup) { return kLookups[static_cast<size_t>(lookup)]; }
std::string_view endpoints_format_name(EndpointsFormat format) {
  return kFormats[static_cast<size_t>(format)];
}

DiscoverySettings read_discovery(const Table& table) {
  DiscoverySettings discovery;
  if (auto v = table.get("discovery"))
    discovery.kind = static_cast<DiscoveryKind>(v->choice(kKinds));
  check_discovery_settings(table, "dns", DiscoveryKind::dns, discovery.kind);
  check_discovery_settings(table, "file", DiscoveryKind::file, discovery.kind);
  if (auto v = table.get("dns")) discovery.dns = read_dns(*v);
  if (discovery.kind == DiscoveryKind::file) {
    auto file = table.get("file");
    if (!file) table.fail_key("discovery", "discovery = \"file\" needs file = { path = \"...\" }");
    discovery.file = read_file_settings(*file);
    if (table.has("endpoints"))
      table.fail_key("endpoints", "a cluster with discovery = \"file\" takes its endpoints from " +
                                      conf::quoted(discovery.file.path) + ", not from endpoints");
  }
  return discovery;
}

std::vector<Endpoint> read_discovery_file(const Table& table, const DiscoverySettings& discovery) {
  try {
    return read_endpoints_file(discovery.file.path, discovery.file.format);
  } catch (const ConfigError& e) {
    if (e.line() != 0) throw;
    // The file cannot be read at all: say so where the config names it.
    table.get("file")
        ->table({"path", "format"})
        .require("path")
        .fail("cannot read " + conf::quoted(discovery.file.path) + ": " + e.message());
  }
}

std::vector<core::SocketAddress> dns_endpoint_addresses(const Value& value, const std::string& text,
                                                        const DnsDiscovery& dns) {
  if (auto numeric = core::SocketAddress::parse_numeric(text)) return {*numeric};
  std::string host;
  uint16_t port = 0;
  if (dns.srv) {
    if (text.empty() || text.find(':') != std::string::npos)
      value.fail(
          "with srv = true an endpoint is a name without a port (the SRV records give the "
          "ports), like \"web.internal\" or \"_api._tcp.web.internal\", got " +
          value.describe());
    return {};
  }
  if (!core::split_host_port(text, host, port) || host.empty())
    value.fail(
        "expected \"host:port\" with a port from 1 to 65535, like \"web.internal:8080\", got " +
        value.describe());
  return {};
}

void read_endpoint_metadata(const Table& table, Endpoint& endpoint) {
  if (auto v = table.get("metadata")) {
    std::vector<Entry> entries = v->entries();
    if (entries.size() > kMaxMetadata)
      v->fail("at most " + std::to_string(kMaxMetadata) + " entries");
    for (const Entry& entry : entries) endpoint.metadata[entry.key] = entry.value.string();
  }
}

std::vector<Endpoint> read_endpoints_file(const std::string& path, EndpointsFormat format) {
  std::string text = read_whole_file(path);
  if (format == EndpointsFormat::toml) return read_toml_endpoints(path, text);
  return read_json_endpoints(path, text);
}

}  // namespace ringress::conf
