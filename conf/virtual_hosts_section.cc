#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "conf/http_sections.h"
#include "conf/http_syntax.h"
#include "conf/sections.h"

namespace ringress::conf {

namespace {

// A domain as routing compares it (lower case), or a failure saying which forms there are.
std::string read_domain(const Value& value) {
  std::string domain = value.string();
  for (char& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (domain == "*") return domain;
  std::string_view name = domain;
  if (name.starts_with("*."))
    name.remove_prefix(2);
  else if (name.ends_with(".*"))
    name.remove_suffix(2);
  if (name.find('*') != std::string_view::npos)
    value.fail(
        "a wildcard is \"*\" alone (any host), \"*.example.com\" (its subdomains) or "
        "\"example.*\" (any ending), got " +
        value.describe());
  if (is_host_name(name)) return domain;
  // An IPv6 address in brackets, for clients that connect by address.
  if (name.size() == domain.size() && domain.starts_with('[') && domain.ends_with(']') &&
      is_host_header(domain))
    return domain;
  if (is_host_header(domain))
    value.fail("domains match the Host header without its port: write " +
               quoted(domain.substr(0, domain.rfind(':'))) + ", got " + value.describe());
  value.fail(
      "expected a host name like \"api.example.com\", \"*.example.com\", \"api.*\" or "
      "\"*\", got " +
      value.describe());
}

// Where a domain was first seen in this listener, for the duplicate message.

}  // namespace

std::vector<VirtualHost> read_virtual_hosts(const Value& value,
                                            const std::vector<Cluster>& clusters) {
  if (value.node().is_table())
    value.fail(
        "expected an array of tables: write [[listeners.virtual_hosts]], not "
        "[listeners.virtual_hosts]");
  std::vector<Value> items = value.array();
  if (items.empty()) value.fail("list at least one virtual host");
  std::vector<VirtualHost> vhosts;
  // Duplicate names and domains are found by hash: a config of 10,000 virtual hosts loads in
  // linear time.
  std::unordered_map<std::string, std::string> seen;  // domain -> the path of its vhost
  NameIndex vhost_names;
  for (size_t index = 0; index < items.size(); ++index) {
    const Value& item = items[index];
    Table table = item.table({"name", "domains", "routes"});
    VirtualHost vhost;
    vhost.name = "vhost" + std::to_string(index);
    if (auto v = table.get("name")) {
      vhost.name = read_name(*v);
      auto [it, added] = vhost_names.emplace(vhost.name, index);
      if (!added)
        v->fail(quoted(vhost.name) + " is already the name of " + items[it->second].path());
    }
    auto add_domain = [&](const std::string& domain, const Value& where, std::string_view note) {
      auto [it, added] = seen.emplace(domain, item.path());
      if (!added)
        where.fail(quoted(domain) + std::string(note) + " is already a domain of " + it->second);
      vhost.domains.push_back(domain);
    };
    if (auto v = table.get("domains")) {
      std::vector<Value> domains = v->array();
      if (domains.empty()) v->fail("list at least one domain, or \"*\" for any host");
      for (const Value& d : domains) add_domain(read_domain(d), d, "");
    } else {
      Value where(item.file(), item.node(), table.path_of("domains"));
      add_domain("*", where, " (the default when domains is not given)");
    }
    Value routes = table.require("routes");
    std::vector<Value> route_items = routes.array();
    if (route_items.empty()) routes.fail("list at least one route");
    NameIndex route_names;
    for (size_t i = 0; i < route_items.size(); ++i)
      vhost.routes.push_back(read_route(route_items[i], vhost.name, i, clusters, route_names));
    vhosts.push_back(std::move(vhost));
  }
  return vhosts;
}

}  // namespace ringress::conf
