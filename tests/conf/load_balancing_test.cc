// Loading a cluster's lb_policy and its settings, and a route's hash_policy: the defaults, every
// key read, and the exact message for each kind of mistake.
#include <gtest/gtest.h>

#include <string>

#include "conf/config.h"
#include "tests/conf/config_text.h"

namespace ringress::conf {
namespace {

using test::error_of;
using test::users_cluster;  // a tcp listener (lines 1-4), cluster "users" (5-7), `keys` from 8

// Clusters "ring" (ring_hash, lines 1-4) and "plain" (round_robin, lines 5-7), an http listener
// (lines 8-10) with one virtual host whose one route, on line 13 from column 3, is `route`.
std::string route(std::string_view route) {
  return "[[clusters]]\nname = \"ring\"\nendpoints = [\"127.0.0.1:9001\"]\n"
         "lb_policy = \"ring_hash\"\n"
         "[[clusters]]\nname = \"plain\"\nendpoints = [\"127.0.0.1:9002\"]\n"
         "[[listeners]]\nname = \"web\"\naddress = \"127.0.0.1:8080\"\n"
         "[[listeners.virtual_hosts]]\nroutes = [\n  " +
         std::string(route) + ",\n]\n";
}

// --- Clusters ---

TEST(LoadBalancing, DefaultsAreAsDocumented) {
  Config config = parse_config(users_cluster(""), "proxy.toml");
  const LbSettings& lb = config.clusters.at(0).lb;
  EXPECT_EQ(lb.policy, LbPolicy::round_robin);
  EXPECT_EQ(lb.ring_hash.minimum_ring_size, 1024u);
  EXPECT_EQ(lb.ring_hash.maximum_ring_size, 8388608u);
  EXPECT_EQ(lb.least_request.choice_count, 2u);
  EXPECT_FALSE(lb.hashes());
}

TEST(LoadBalancing, EveryPolicyIsRead) {
  const std::pair<std::string, LbPolicy> policies[] = {
      {"round_robin", LbPolicy::round_robin}, {"least_request", LbPolicy::least_request},
      {"random", LbPolicy::random},           {"ring_hash", LbPolicy::ring_hash},
      {"maglev", LbPolicy::maglev},
  };
  for (const auto& [name, policy] : policies) {
    Config config = parse_config(users_cluster("lb_policy = \"" + name + "\"\n"), "proxy.toml");
    EXPECT_EQ(config.clusters.at(0).lb.policy, policy) << name;
    EXPECT_EQ(lb_policy_name(policy), name);
  }
}

TEST(LoadBalancing, PolicySettingsAreRead) {
  Config ring = parse_config(
      users_cluster("lb_policy = \"ring_hash\"\n"
                    "ring_hash = { minimum_ring_size = 4096, maximum_ring_size = 65536 }\n"),
      "proxy.toml");
  EXPECT_EQ(ring.clusters.at(0).lb.ring_hash.minimum_ring_size, 4096u);
  EXPECT_EQ(ring.clusters.at(0).lb.ring_hash.maximum_ring_size, 65536u);
  EXPECT_TRUE(ring.clusters.at(0).lb.hashes());
  Config least = parse_config(
      users_cluster("lb_policy = \"least_request\"\n[clusters.least_request]\nchoice_count = 3\n"),
      "proxy.toml");
  EXPECT_EQ(least.clusters.at(0).lb.least_request.choice_count, 3u);
}

TEST(LoadBalancing, Mistakes) {
  EXPECT_EQ(error_of(users_cluster("lb_policy = \"roundrobin\"\n")),
            "proxy.toml:8:13: clusters[0].lb_policy: expected one of \"round_robin\", "
            "\"least_request\", \"random\", \"ring_hash\" or \"maglev\", got \"roundrobin\" (did "
            "you mean \"round_robin\"?)");
  EXPECT_EQ(error_of(users_cluster("ring_hash = { minimum_ring_size = 4096 }\n")),
            "proxy.toml:8:1: clusters[0].ring_hash: ring_hash holds the settings of lb_policy = "
            "\"ring_hash\"; this cluster's lb_policy is \"round_robin\"");
  EXPECT_EQ(
      error_of(users_cluster("lb_policy = \"maglev\"\nleast_request = { choice_count = 3 }\n")),
      "proxy.toml:9:1: clusters[0].least_request: least_request holds the settings of "
      "lb_policy = \"least_request\"; this cluster's lb_policy is \"maglev\"");
  EXPECT_EQ(error_of(users_cluster(
                "lb_policy = \"ring_hash\"\n"
                "ring_hash = { minimum_ring_size = 4096, maximum_ring_size = 2048 }\n")),
            "proxy.toml:9:35: clusters[0].ring_hash.minimum_ring_size: minimum_ring_size (4096) "
            "is above maximum_ring_size (2048)");
  EXPECT_EQ(error_of(users_cluster(
                "lb_policy = \"ring_hash\"\nring_hash = { maximum_ring_size = 512 }\n")),
            "proxy.toml:9:35: clusters[0].ring_hash.maximum_ring_size: minimum_ring_size (1024) "
            "is above maximum_ring_size (512)");
  EXPECT_EQ(error_of(users_cluster("lb_policy = \"ring_hash\"\n"
                                   "ring_hash = { maximum_ring_size = 8388609 }\n")),
            "proxy.toml:9:35: clusters[0].ring_hash.maximum_ring_size: must be between 1 and "
            "8388608, got 8388609");
  EXPECT_EQ(
      error_of(users_cluster("lb_policy = \"ring_hash\"\nring_hash = { min_ring_size = 1 }\n")),
      "proxy.toml:9:15: clusters[0].ring_hash.min_ring_size: unknown key");
  EXPECT_EQ(error_of(users_cluster("lb_policy = \"least_request\"\n"
                                   "least_request = { choice_count = 1 }\n")),
            "proxy.toml:9:34: clusters[0].least_request.choice_count: must be between 2 and 100, "
            "got 1");
}

// --- Routes ---

TEST(HashPolicy, EveryKindIsRead) {
  Config config = parse_config(route(R"({ cluster = "ring", hash_policy = [
    { header = "X-User" },
    { cookie = "sid", ttl = "1h", path = "/" },
    { cookie = "plain" },
    { source_ip = true },
    { query_parameter = "u" },
  ] })"),
                               "proxy.toml");
  const std::vector<HashPolicy>& hp =
      config.listeners.at(0).http.virtual_hosts.at(0).routes.at(0).hash_policy;
  ASSERT_EQ(hp.size(), 5u);
  EXPECT_EQ(hp[0].source, HashSource::header);
  EXPECT_EQ(hp[0].name, "X-User");
  EXPECT_EQ(hp[1].source, HashSource::cookie);
  EXPECT_EQ(hp[1].name, "sid");
  EXPECT_EQ(hp[1].cookie_ttl, std::chrono::hours(1));
  EXPECT_EQ(hp[1].cookie_path, "/");
  EXPECT_FALSE(hp[2].cookie_ttl);
  EXPECT_EQ(hp[2].cookie_path, "");
  EXPECT_EQ(hp[3].source, HashSource::source_ip);
  EXPECT_EQ(hp[4].source, HashSource::query_parameter);
  EXPECT_EQ(hp[4].name, "u");
  // No hash_policy: none.
  Config without = parse_config(route("{ cluster = \"ring\" }"), "proxy.toml");
  EXPECT_TRUE(without.listeners.at(0).http.virtual_hosts.at(0).routes.at(0).hash_policy.empty());
}

TEST(HashPolicy, AWeightedRouteNeedsOneHashingCluster) {
  EXPECT_EQ(error_of(route("{ clusters = [\"ring\", \"plain\"], hash_policy = [{ source_ip = "
                           "true }] }")),
            "(no error)");
}

// The message for `hash_policy` (written from column 3 of line 13) of a route to "ring".
std::string hash_policy_error(std::string_view policy) {
  return error_of(route("{ cluster = \"ring\", hash_policy = " + std::string(policy) + " }"));
}
constexpr std::string_view kRoute = "listeners[0].virtual_hosts[0].routes[0]";

TEST(HashPolicy, OnlyForRoutesToHashingClusters) {
  EXPECT_EQ(error_of(route("{ cluster = \"plain\", hash_policy = [{ source_ip = true }] }")),
            "proxy.toml:13:24: " + std::string(kRoute) +
                ".hash_policy: hash_policy is for clusters with lb_policy \"ring_hash\" or "
                "\"maglev\"; \"plain\" has \"round_robin\"");
  EXPECT_EQ(error_of(route("{ direct_response = {}, hash_policy = [{ source_ip = true }] }")),
            "proxy.toml:13:27: " + std::string(kRoute) +
                ".hash_policy: hash_policy is for routes that forward to a cluster; this one has "
                "direct_response");
}

TEST(HashPolicy, Shape) {
  const std::string at = "proxy.toml:13:";
  const std::string policy0 = std::string(kRoute) + ".hash_policy[0]";
  EXPECT_EQ(hash_policy_error("[]"), at + "37: " + std::string(kRoute) +
                                         ".hash_policy: list at least one hash policy, or leave "
                                         "hash_policy out");
  EXPECT_EQ(hash_policy_error("[{}]"),
            at + "38: " + policy0 +
                ": a hash policy says where the key comes from: header, cookie, source_ip or "
                "query_parameter");
  EXPECT_EQ(hash_policy_error("[{ header = \"a\", cookie = \"b\" }]"),
            at + "54: " + policy0 +
                ".cookie: give only one of header, cookie, source_ip or query_parameter (this "
                "hash policy already has header)");
  EXPECT_EQ(hash_policy_error("[{ header = \"a\", ttl = \"1h\" }]"),
            at + "54: " + policy0 + ".ttl: ttl is for cookie hash policies; this one has header");
  EXPECT_EQ(hash_policy_error("[{ heder = \"X-A\" }]"),
            at + "40: " + policy0 + ".heder: unknown key (did you mean \"header\"?)");
  EXPECT_EQ(hash_policy_error("[{ header = \"X-A\" }, { header = \"x-a\" }]"),
            at + "58: " + std::string(kRoute) +
                ".hash_policy[1]: header = \"x-a\" is already "
                "listed as " +
                std::string(kRoute) + ".hash_policy[0]");
  EXPECT_EQ(hash_policy_error("[{ source_ip = true }, { source_ip = true }]"),
            at + "60: " + std::string(kRoute) +
                ".hash_policy[1]: source_ip is already listed "
                "as " +
                std::string(kRoute) + ".hash_policy[0]");
}

TEST(HashPolicy, Values) {
  const std::string at = "proxy.toml:13:";
  const std::string policy0 = std::string(kRoute) + ".hash_policy[0]";
  EXPECT_EQ(hash_policy_error("[{ header = \"a b\" }]"),
            at + "49: " + policy0 +
                ".header: expected a header name (letters, digits and !#$%&'*+-.^_`|~), got \"a "
                "b\"");
  EXPECT_EQ(hash_policy_error("[{ cookie = \"a;b\" }]"),
            at + "49: " + policy0 +
                ".cookie: expected a cookie name (letters, digits and !#$%&'*+-.^_`|~), got "
                "\"a;b\"");
  EXPECT_EQ(hash_policy_error("[{ cookie = \"s\", ttl = \"1500ms\" }]"),
            at + "60: " + policy0 + ".ttl: a cookie's Max-Age is whole seconds, got \"1500ms\"");
  EXPECT_EQ(hash_policy_error("[{ cookie = \"s\", ttl = \"9601h\" }]"),
            at + "60: " + policy0 + ".ttl: must be between 0 and 9600h, got \"9601h\"");
  EXPECT_EQ(hash_policy_error("[{ cookie = \"s\", path = \"/a;b\" }]"),
            at + "61: " + policy0 + ".path: a cookie path has no \";\" or \",\", got \"/a;b\"");
  EXPECT_EQ(hash_policy_error("[{ cookie = \"s\", path = \"a\" }]"),
            at + "61: " + policy0 + ".path: a path starts with \"/\", got \"a\"");
  EXPECT_EQ(hash_policy_error("[{ source_ip = false }]"),
            at + "52: " + policy0 +
                ".source_ip: source_ip = false hashes nothing: write source_ip = true, or leave "
                "the policy out");
  EXPECT_EQ(hash_policy_error("[{ query_parameter = \"a&b\" }]"),
            at + "58: " + policy0 +
                ".query_parameter: expected a query parameter name (no \"&\", \"=\", \"#\" or "
                "control characters), got \"a&b\"");
}

}  // namespace
}  // namespace ringress::conf
