// Loading a cluster's discovery (static, dns, file), its dns and file settings, an endpoint's
// backup and metadata, and the endpoints file of file discovery (JSON and TOML): the defaults,
// every key read, and the exact message and place of each kind of mistake.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "conf/config.h"
#include "conf/discovery.h"
#include "tests/conf/config_text.h"

namespace ringress::conf {
namespace {

using test::error_of;

// A tcp listener (lines 1-4), then a cluster "users" (lines 5-6) with `keys` from line 7.
std::string cluster(std::string_view keys) {
  return "[[listeners]]\nname = \"front\"\naddress = \"127.0.0.1:8000\"\ncluster = \"users\"\n"
         "[[clusters]]\nname = \"users\"\n" +
         std::string(keys);
}

// A directory for endpoints files, removed with them.
class Files {
 public:
  Files() {
    std::string pattern = (std::filesystem::temp_directory_path() / "discovery-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
  }
  ~Files() { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

TEST(Discovery, StaticIsTheDefault) {
  Config config = parse_config(cluster("endpoints = [\"127.0.0.1:9001\"]\n"), "proxy.toml");
  const Cluster& c = config.clusters.at(0);
  EXPECT_EQ(c.discovery.kind, DiscoveryKind::static_endpoints);
  EXPECT_EQ(discovery_kind_name(c.discovery.kind), "static");
  EXPECT_EQ(c.discovery.dns.refresh_floor, std::chrono::seconds(1));
  EXPECT_EQ(c.discovery.dns.refresh_ceiling, std::chrono::seconds(60));
  EXPECT_FALSE(c.discovery.dns.srv);
  EXPECT_TRUE(c.discovery.dns.resolvers.empty());
  EXPECT_EQ(c.discovery.dns.lookup, DnsLookup::v4);
  EXPECT_EQ(c.discovery.dns.timeout, std::chrono::seconds(1));
  EXPECT_FALSE(c.endpoints.at(0).backup);
  EXPECT_TRUE(c.endpoints.at(0).metadata.empty());
}

TEST(Discovery, DnsKeysAreReadAndNamesAreNotResolvedAtLoad) {
  Config config = parse_config(
      cluster("endpoints = [\"no-such-host.invalid:8080\", \"10.0.0.1:80\",\n"
              "  { address = \"api.invalid:81\", weight = 3, backup = true }]\n"
              "discovery = \"dns\"\n"
              "dns = { refresh_floor = \"2s\", refresh_ceiling = \"30s\", lookup = \"all\", "
              "resolvers = [\"127.0.0.1:5353\", \"[::1]:53\"], timeout = \"250ms\" }\n"),
      "proxy.toml");
  const Cluster& c = config.clusters.at(0);
  EXPECT_EQ(c.discovery.kind, DiscoveryKind::dns);
  EXPECT_EQ(c.discovery.dns.refresh_floor, std::chrono::seconds(2));
  EXPECT_EQ(c.discovery.dns.refresh_ceiling, std::chrono::seconds(30));
  EXPECT_EQ(c.discovery.dns.lookup, DnsLookup::all);
  EXPECT_EQ(c.discovery.dns.timeout, std::chrono::milliseconds(250));
  ASSERT_EQ(c.discovery.dns.resolvers.size(), 2u);
  EXPECT_EQ(c.discovery.dns.resolvers[0].to_string(), "127.0.0.1:5353");
  EXPECT_EQ(c.discovery.dns.resolvers[1].to_string(), "[::1]:53");
  ASSERT_EQ(c.endpoints.size(), 3u);
  EXPECT_TRUE(c.endpoints[0].addresses.empty());   // a name: discovery resolves it
  ASSERT_EQ(c.endpoints[1].addresses.size(), 1u);  // numeric: as written
  EXPECT_EQ(c.endpoints[1].addresses[0].to_string(), "10.0.0.1:80");
  EXPECT_EQ(c.endpoints[2].weight, 3u);
  EXPECT_TRUE(c.endpoints[2].backup);
  EXPECT_TRUE(c.endpoints[2].addresses.empty());
  for (const char* lookup : {"v4", "v6", "all"}) {
    Config l = parse_config(cluster(std::string("endpoints = [\"a.invalid:1\"]\ndiscovery = "
                                                "\"dns\"\ndns = { lookup = \"") +
                                    lookup + "\" }\n"),
                            "proxy.toml");
    EXPECT_EQ(dns_lookup_name(l.clusters.at(0).discovery.dns.lookup), lookup);
  }
}

TEST(Discovery, SrvEndpointsAreNamesWithoutPorts) {
  Config config = parse_config(cluster("endpoints = [\"web.invalid\", \"_api._tcp.web.invalid\"]\n"
                                       "discovery = \"dns\"\ndns = { srv = true }\n"),
                               "proxy.toml");
  const Cluster& c = config.clusters.at(0);
  EXPECT_TRUE(c.discovery.dns.srv);
  EXPECT_EQ(c.endpoints.at(0).text, "web.invalid");
  EXPECT_TRUE(c.endpoints.at(0).addresses.empty());
  EXPECT_EQ(c.endpoints.at(1).text, "_api._tcp.web.invalid");
}

TEST(Discovery, EndpointMetadataIsRead) {
  Config config = parse_config(
      cluster("endpoints = [{ address = \"127.0.0.1:9001\", metadata = { zone = \"a\", "
              "rack = \"r1\" } }]\n"),
      "proxy.toml");
  const Endpoint& e = config.clusters.at(0).endpoints.at(0);
  EXPECT_EQ(e.metadata, (std::map<std::string, std::string>{{"rack", "r1"}, {"zone", "a"}}));
}

TEST(Discovery, DnsMistakes) {
  EXPECT_EQ(error_of(cluster("endpoints = [\"a.invalid:1\"]\ndiscovery = \"consul\"\n")),
            "proxy.toml:8:13: clusters[0].discovery: expected one of \"static\", \"dns\" or "
            "\"file\", got \"consul\"");
  EXPECT_EQ(error_of(cluster("endpoints = [\"127.0.0.1:1\"]\ndns = { srv = true }\n")),
            "proxy.toml:8:1: clusters[0].dns: dns holds the settings of discovery = \"dns\"; "
            "this cluster's discovery is \"static\"");
  EXPECT_EQ(error_of(cluster("endpoints = [\"a.invalid\"]\ndiscovery = \"dns\"\n")),
            "proxy.toml:7:14: clusters[0].endpoints[0]: expected \"host:port\" with a port from 1 "
            "to 65535, like \"web.internal:8080\", got \"a.invalid\"");
  EXPECT_EQ(error_of(cluster("endpoints = [\"a.invalid:80\"]\ndiscovery = \"dns\"\n"
                             "dns = { srv = true }\n")),
            "proxy.toml:7:14: clusters[0].endpoints[0]: with srv = true an endpoint is a name "
            "without a port (the SRV records give the ports), like \"web.internal\" or "
            "\"_api._tcp.web.internal\", got \"a.invalid:80\"");
  std::string dns = "endpoints = [\"a.invalid:1\"]\ndiscovery = \"dns\"\n";
  EXPECT_EQ(
      error_of(cluster(dns + "dns = { refresh_floor = \"10s\", refresh_ceiling = \"5s\" }\n")),
      "proxy.toml:9:25: clusters[0].dns.refresh_floor: refresh_floor (10s) is above "
      "refresh_ceiling (5s)");
  EXPECT_EQ(error_of(cluster(dns + "dns = { refresh_ceiling = \"500ms\" }\n")),
            "proxy.toml:9:27: clusters[0].dns.refresh_ceiling: refresh_floor (1s) is above "
            "refresh_ceiling (500ms)");
  EXPECT_EQ(error_of(cluster(dns + "dns = { refresh_floor = \"10ms\" }\n")),
            "proxy.toml:9:25: clusters[0].dns.refresh_floor: must be between 100ms and 24h, got "
            "\"10ms\"");
  EXPECT_EQ(error_of(cluster(dns + "dns = { resolvers = [\"dns.invalid:53\"] }\n")),
            "proxy.toml:9:22: clusters[0].dns.resolvers[0]: expected a numeric \"ip:port\" like "
            "\"127.0.0.1:53\" or \"[::1]:53\", got \"dns.invalid:53\"");
  EXPECT_EQ(error_of(cluster(dns + "dns = { resolvers = [] }\n")),
            "proxy.toml:9:21: clusters[0].dns.resolvers: list at least one resolver, or leave "
            "resolvers out to use /etc/resolv.conf");
  EXPECT_EQ(error_of(cluster(dns + "dns = { resolvers = [\"127.0.0.1:1\", \"127.0.0.1:2\", "
                                   "\"127.0.0.1:3\", \"127.0.0.1:4\"] }\n")),
            "proxy.toml:9:67: clusters[0].dns.resolvers[3]: at most 3 resolvers");
  EXPECT_EQ(error_of(cluster(dns + "dns = { lookup = \"v5\" }\n")),
            "proxy.toml:9:18: clusters[0].dns.lookup: expected one of \"v4\", \"v6\" or \"all\", "
            "got \"v5\" (did you mean \"v4\"?)");
  EXPECT_EQ(error_of(cluster(dns + "dns = { srv = \"yes\" }\n")),
            "proxy.toml:9:15: clusters[0].dns.srv: expected true or false, got string");
  EXPECT_EQ(error_of(cluster(dns + "dns = { ttl = \"5s\" }\n")),
            "proxy.toml:9:9: clusters[0].dns.ttl: unknown key");
  EXPECT_EQ(
      error_of(cluster("endpoints = [{ address = \"127.0.0.1:1\", metadata = { a = 1 } }]\n")),
      "proxy.toml:7:58: clusters[0].endpoints[0].metadata.a: expected a string, got integer");
  EXPECT_EQ(error_of(cluster("endpoints = [{ address = \"127.0.0.1:1\", backup = 1 }]\n")),
            "proxy.toml:7:50: clusters[0].endpoints[0].backup: expected true or false, got "
            "integer");
}

TEST(Discovery, FileEndpointsAreReadAtLoad) {
  Files files;
  files.write("endpoints.json", R"({"endpoints": [
    {"address": "10.0.0.1:80", "weight": 2, "metadata": {"zone": "a"}},
    {"address": "[::1]:81", "backup": true}
  ]})");
  files.write("endpoints.toml",
              "[[endpoints]]\naddress = \"10.0.0.2:80\"\nweight = 5\n"
              "[[endpoints]]\naddress = \"10.0.0.3:80\"\nbackup = true\nmetadata = { zone = \"b\" "
              "}\n");
  files.write("endpoints.txt", R"({"endpoints": [{"address": "10.0.0.4:80"}]})");
  // Relative to the config file's directory.
  std::string config_path = files.dir() + "/proxy.toml";
  Config json = parse_config(
      cluster("discovery = \"file\"\nfile = { path = \"endpoints.json\" }\n"), config_path);
  const Cluster& j = json.clusters.at(0);
  EXPECT_EQ(j.discovery.kind, DiscoveryKind::file);
  EXPECT_EQ(j.discovery.file.path, files.dir() + "/endpoints.json");
  EXPECT_EQ(j.discovery.file.format, EndpointsFormat::json);
  ASSERT_EQ(j.endpoints.size(), 2u);
  EXPECT_EQ(j.endpoints[0].text, "10.0.0.1:80");
  EXPECT_EQ(j.endpoints[0].addresses.at(0).to_string(), "10.0.0.1:80");
  EXPECT_EQ(j.endpoints[0].weight, 2u);
  EXPECT_FALSE(j.endpoints[0].backup);
  EXPECT_EQ(j.endpoints[0].metadata.at("zone"), "a");
  EXPECT_EQ(j.endpoints[1].addresses.at(0).to_string(), "[::1]:81");
  EXPECT_EQ(j.endpoints[1].weight, 1u);
  EXPECT_TRUE(j.endpoints[1].backup);

  Config toml = parse_config(
      cluster("discovery = \"file\"\nfile = { path = \"" + files.dir() + "/endpoints.toml\" }\n"),
      config_path);
  const Cluster& t = toml.clusters.at(0);
  EXPECT_EQ(t.discovery.file.format, EndpointsFormat::toml);
  ASSERT_EQ(t.endpoints.size(), 2u);
  EXPECT_EQ(t.endpoints[0].weight, 5u);
  EXPECT_TRUE(t.endpoints[1].backup);
  EXPECT_EQ(t.endpoints[1].metadata.at("zone"), "b");

  Config named = parse_config(
      cluster("discovery = \"file\"\nfile = { path = \"endpoints.txt\", format = \"json\" }\n"),
      config_path);
  EXPECT_EQ(named.clusters.at(0).endpoints.at(0).text, "10.0.0.4:80");
  EXPECT_EQ(endpoints_format_name(EndpointsFormat::toml), "toml");
}

TEST(Discovery, FileMistakes) {
  Files files;
  std::string config_path = files.dir() + "/proxy.toml";
  auto file_cluster = [&](const std::string& name) {
    return cluster("discovery = \"file\"\nfile = { path = \"" + name + "\" }\n");
  };
  EXPECT_EQ(error_of(cluster("discovery = \"file\"\n"), config_path),
            config_path +
                ":7:1: clusters[0].discovery: discovery = \"file\" needs file = { path "
                "= \"...\" }");
  EXPECT_EQ(error_of(cluster("endpoints = [\"127.0.0.1:1\"]\nfile = { path = \"e.json\" }\n")),
            "proxy.toml:8:1: clusters[0].file: file holds the settings of discovery = \"file\"; "
            "this cluster's discovery is \"static\"");
  files.write("e.json", R"({"endpoints": [{"address": "10.0.0.1:80"}]})");
  EXPECT_EQ(error_of(cluster("endpoints = [\"127.0.0.1:1\"]\ndiscovery = \"file\"\n"
                             "file = { path = \"e.json\" }\n"),
                     config_path),
            config_path +
                ":7:1: clusters[0].endpoints: a cluster with discovery = \"file\" takes "
                "its endpoints from \"" +
                files.dir() + "/e.json\", not from endpoints");
  EXPECT_EQ(error_of(file_cluster("e.yaml"), config_path),
            config_path + ":8:17: clusters[0].file.path: cannot tell the format from the name \"" +
                files.dir() +
                "/e.yaml\": name it .json or .toml, or set format = \"json\" or "
                "\"toml\"");
  EXPECT_EQ(error_of(file_cluster("missing.json"), config_path),
            config_path + ":8:17: clusters[0].file.path: cannot read \"" + files.dir() +
                "/missing.json\": cannot read: No such file or directory");
  EXPECT_EQ(
      error_of(cluster("discovery = \"file\"\nfile = { path = \"e.json\", format = \"xml\" }\n"),
               config_path),
      config_path +
          ":8:36: clusters[0].file.format: expected one of \"json\" or \"toml\", "
          "got \"xml\" (did you mean \"toml\"?)");

  // Mistakes inside the endpoints file are reported at their place in that file.
  auto file_error = [&](const std::string& name, const std::string& text) {
    std::string path = files.write(name, text);
    std::string error = error_of(file_cluster(name), config_path);
    std::string prefix = path + ":";
    EXPECT_EQ(error.rfind(prefix, 0), 0u) << error;
    return error.substr(std::min(prefix.size(), error.size()));
  };
  EXPECT_EQ(file_error("a.json", "{\"endpoints\": [\n  {\"address\": \"10.0.0.1:80\",}\n]}"),
            "2:29: expected a member name in double quotes, got '}'");
  EXPECT_EQ(file_error("b.json", "{\"endpoints\": [{\"address\": \"web.internal:80\"}]}"),
            "1:28: endpoints[0].address: expected a numeric address \"ip:port\" like "
            "\"10.0.0.1:8080\" or \"[::1]:8080\", got \"web.internal:80\"");
  EXPECT_EQ(
      file_error("c.json", "{\"endpoints\": [{\"address\": \"10.0.0.1:80\", \"weight\": 0}]}"),
      "1:53: endpoints[0].weight: must be between 1 and 1000, got 0");
  EXPECT_EQ(
      file_error("d.json", "{\"endpoints\": [{\"address\": \"10.0.0.1:80\", \"weight\": 1.5}]}"),
      "1:53: endpoints[0].weight: expected an integer, got 1.5");
  EXPECT_EQ(
      file_error("e2.json", "{\"endpoints\": [{\"address\": \"10.0.0.1:80\", \"wieght\": 2}]}"),
      "1:53: endpoints[0].wieght: unknown key (did you mean \"weight\"?)");
  EXPECT_EQ(file_error("f.json", "{\"endpoints\": []}"),
            "1:15: endpoints: must list at least one endpoint");
  EXPECT_EQ(file_error("g.json", "{\"hosts\": []}"), "1:11: hosts: unknown key");
  EXPECT_EQ(file_error("h.json", "{}"), "1:1: endpoints: missing key \"endpoints\"");
  EXPECT_EQ(file_error("i.json", "{\"endpoints\": [{\"weight\": 2}]}"),
            "1:16: endpoints[0]: missing key \"address\"");
  EXPECT_EQ(file_error("j.json",
                       "{\"endpoints\": [{\"address\": \"10.0.0.1:80\", \"backup\": "
                       "\"no\"}]}"),
            "1:53: endpoints[0].backup: expected true or false, got string");
  EXPECT_EQ(file_error("k.json",
                       "{\"endpoints\": [{\"address\": \"10.0.0.1:80\", \"metadata\": "
                       "{\"zone\": 1}}]}"),
            "1:64: endpoints[0].metadata.zone: expected a string, got number");
  EXPECT_EQ(file_error("l.json",
                       "{\"endpoints\": [{\"address\": \"10.0.0.1:80\"},\n"
                       "{\"address\": \"10.0.0.1:80\"}]}"),
            "2:13: endpoints[1].address: \"10.0.0.1:80\" is already listed as endpoints[0]");
  EXPECT_EQ(file_error("m.json", "[]"), "1:1: expected an object, got array");
  EXPECT_EQ(file_error("a.toml", "[[endpoints]]\naddress = \"10.0.0.1:80\"\nweight = 0\n"),
            "3:10: endpoints[0].weight: must be between 1 and 1000, got 0");
  EXPECT_EQ(file_error("b.toml", "[[endpoints]]\naddress = 10\n"),
            "2:11: endpoints[0].address: expected a string, got integer");
  EXPECT_EQ(file_error("c.toml", "[[endpoints]]\naddress = \"10.0.0.1:80\"\nport = 1\n"),
            "3:1: endpoints[0].port: unknown key");
  EXPECT_EQ(file_error("d.toml", "endpoints = [\n"),
            "1:15: Error while parsing array: encountered end-of-file");
}

}  // namespace
}  // namespace ringress::conf
