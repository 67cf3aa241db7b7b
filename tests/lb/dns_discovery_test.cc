// DnsDiscovery against a real DNS server (dnsmasq on 127.0.0.1, started by each test): names
// resolved and re-resolved as their records change, A/AAAA per `lookup`, SRV targets with their
// ports, weights and priorities, TTLs clamped to the floor and ceiling (seen in the lookup
// count), the last good set kept while the server is down, and a stop that ends a lookup in
// flight.
#include "lb/dns_discovery.h"

#include <gtest/gtest.h>

#include <fstream>

#include "lb/hosts.h"
#include "tests/lb/discovery_harness.h"
#include "tests/lb/dnsmasq.h"
#include "tests/support/net.h"
#include "tests/support/temp_dir.h"

namespace ringress::lb {
namespace {

using namespace std::chrono_literals;
using lb::test::cluster_config;
using lb::test::describe;
using lb::test::eventually;
using lb::test::idle;
using lb::test::run_beside;
using Lines = std::vector<std::string>;

class DnsDiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ringress::test::dnsmasq_binary().empty())
      GTEST_SKIP() << "dnsmasq is not installed (scripts/setup.sh installs dnsmasq-base)";
    ASSERT_FALSE(dir_.path().empty());
    hosts_ = dir_.path() + "/hosts";
    port_ = ringress::test::free_port();
  }

  void write_hosts(const std::string& text) { ringress::test::write_file_atomically(hosts_, text); }

  ::testing::AssertionResult start_dns(const std::vector<std::string>& options = {}) {
    return dns_.start(port_, hosts_, options);
  }

  // A dns cluster asking our dnsmasq, with `endpoints` and extra dns keys.
  conf::Config config(const std::string& endpoints, const std::string& dns_keys = "") {
    return cluster_config("endpoints = " + endpoints + "\ndiscovery = \"dns\"\n" +
                          "dns = { resolvers = [\"127.0.0.1:" + std::to_string(port_) + "\"]" +
                          (dns_keys.empty() ? "" : ", " + dns_keys) + " }\n");
  }

  ringress::test::TempDir dir_;
  std::string hosts_;
  uint16_t port_ = 0;
  ringress::test::Dnsmasq dns_;
};

// Regression: a name left unresolved at load (no addresses) divided by zero in hosts_of.
TEST(DnsCluster, StartsWithItsNumericEndpointsOnly) {
  conf::Config c = cluster_config(
      "endpoints = [\"web.invalid:80\", { address = \"10.0.0.1:81\", weight = 3 }]\n"
      "discovery = \"dns\"\n");
  std::vector<Host> hosts = hosts_of(c.clusters.at(0));
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0].address_text, "10.0.0.1:81");
  EXPECT_EQ(hosts[0].weight, 3u);
  conf::Config srv = cluster_config(
      "endpoints = [\"web.invalid\"]\ndiscovery = \"dns\"\n"
      "dns = { srv = true }\n");
  EXPECT_TRUE(hosts_of(srv.clusters.at(0)).empty());
}

TEST_F(DnsDiscoveryTest, ResolvesNamesAndFollowsTheirChanges) {
  write_hosts("127.0.0.2 web.test\n127.0.0.3 web.test\n127.0.0.9 other.test\n");
  ASSERT_TRUE(start_dns());
  conf::Config c = config(
      "[{ address = \"web.test:8080\", weight = 4 }, \"10.0.0.1:80\", "
      "{ address = \"other.test:9090\", backup = true, metadata = { zone = \"b\" } }]",
      "refresh_floor = \"100ms\", refresh_ceiling = \"200ms\"");
  std::vector<std::vector<DiscoveredEndpoint>> reports;
  DnsDiscovery discovery(c.clusters.at(0), [&](auto set) { reports.push_back(std::move(set)); });
  // Before it runs: the config's set (the numeric endpoint only; names are not resolved at load).
  EXPECT_EQ(describe(discovery.current()), (Lines{"10.0.0.1:80 10.0.0.1:80 1"}));
  run_beside(discovery, [&]() -> core::Task<void> {
    bool first = co_await eventually([&] { return reports.size() == 1; });
    EXPECT_TRUE(first);
    EXPECT_EQ(describe(discovery.current()), (Lines{
                                                 "10.0.0.1:80 10.0.0.1:80 1",
                                                 "other.test:9090 127.0.0.9:9090 1 backup zone=b",
                                                 "web.test:8080 127.0.0.2:8080 4",
                                                 "web.test:8080 127.0.0.3:8080 4",
                                             }));
    write_hosts("127.0.0.4 web.test\n127.0.0.9 other.test\n");
    dns_.reload();
    bool changed = co_await eventually([&] { return reports.size() == 2; });
    EXPECT_TRUE(changed);
    EXPECT_EQ(describe(discovery.current()), (Lines{
                                                 "10.0.0.1:80 10.0.0.1:80 1",
                                                 "other.test:9090 127.0.0.9:9090 1 backup zone=b",
                                                 "web.test:8080 127.0.0.4:8080 4",
                                             }));
    // Lookups that find the same set report nothing.
    uint64_t lookups = discovery.stats().lookups;
    bool more = co_await eventually([&] { return discovery.stats().lookups >= lookups + 4; });
    EXPECT_TRUE(more);
  });
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports.back(), discovery.current());
  EXPECT_EQ(discovery.stats().changes, 2u);
  EXPECT_EQ(discovery.stats().failures, 0u);
}

TEST_F(DnsDiscoveryTest, WarmUpLooksEachNameUpOnceBeforeRun) {
  write_hosts("127.0.0.2 web.test\n");
  ASSERT_TRUE(start_dns());
  conf::Config c = config("[\"web.test:80\"]", "refresh_floor = \"1h\", refresh_ceiling = \"1h\"");
  DnsDiscovery discovery(c.clusters.at(0), nullptr);
  core::Reactor reactor;
  reactor.run(discovery.warm_up());
  EXPECT_EQ(describe(discovery.current()), (Lines{"web.test:80 127.0.0.2:80 1"}));
  EXPECT_EQ(discovery.stats().lookups, 1u);
  EXPECT_EQ(discovery.stats().changes, 1u);
  // run() carries on from there: the name is not due again for an hour.
  reactor.run([](DnsDiscovery& d) -> core::Task<void> {
    core::TaskScope scope;
    scope.spawn(d.run(scope.token()));
    co_await idle(300ms);
    scope.cancel();
    co_await scope.join();
  }(discovery));
  EXPECT_EQ(discovery.stats().lookups, 1u);
}

TEST_F(DnsDiscoveryTest, LookupPicksTheAddressFamilies) {
  write_hosts("127.0.0.2 web.test\n::1 web.test\n");
  ASSERT_TRUE(start_dns());
  const std::pair<std::string, Lines> cases[] = {
      {"v4", {"web.test:80 127.0.0.2:80 1"}},
      {"v6", {"web.test:80 [::1]:80 1"}},
      {"all", {"web.test:80 127.0.0.2:80 1", "web.test:80 [::1]:80 1"}},
  };
  for (const auto& [lookup, expected] : cases) {
    conf::Config c = config("[\"web.test:80\"]", "lookup = \"" + lookup + "\"");
    DnsDiscovery discovery(c.clusters.at(0), nullptr);
    run_beside(discovery, [&]() -> core::Task<void> {
      bool found = co_await eventually([&] { return discovery.stats().changes == 1; });
      EXPECT_TRUE(found) << lookup;
    });
    EXPECT_EQ(describe(discovery.current()), expected) << lookup;
  }
}

TEST_F(DnsDiscoveryTest, SrvRecordsGiveTargetsPortsWeightsAndBackups) {
  write_hosts("127.0.0.2 a.test\n127.0.0.3 b.test\n127.0.0.4 c.test\n");
  ASSERT_TRUE(start_dns({"--srv-host=_http._tcp.web.test,a.test,8081,0,5",
                         "--srv-host=_http._tcp.web.test,b.test,8082,0,0",
                         "--srv-host=_http._tcp.web.test,c.test,8083,1,1"}));
  conf::Config c = config("[\"web.test\"]",
                          "srv = true, refresh_floor = \"100ms\", refresh_ceiling = \"200ms\"");
  DnsDiscovery discovery(c.clusters.at(0), nullptr);
  run_beside(discovery, [&]() -> core::Task<void> {
    bool found = co_await eventually([&] { return discovery.stats().changes == 1; });
    EXPECT_TRUE(found);
    // Priority 1 is a backup; SRV weight 0 weighs 1.
    EXPECT_EQ(describe(discovery.current()), (Lines{
                                                 "a.test:8081 127.0.0.2:8081 5",
                                                 "b.test:8082 127.0.0.3:8082 1",
                                                 "c.test:8083 127.0.0.4:8083 1 backup",
                                             }));
    // The records change (dnsmasq restarted with others): b.test leaves, a.test moves.
    dns_.stop();
    write_hosts("127.0.0.5 a.test\n127.0.0.4 c.test\n");
    bool restarted = start_dns({"--srv-host=_http._tcp.web.test,a.test,8081,0,5",
                                "--srv-host=_http._tcp.web.test,c.test,8083,1,1"});
    EXPECT_TRUE(restarted);
    bool changed = co_await eventually([&] { return discovery.stats().changes == 2; });
    EXPECT_TRUE(changed);
    EXPECT_EQ(describe(discovery.current()), (Lines{
                                                 "a.test:8081 127.0.0.5:8081 5",
                                                 "c.test:8083 127.0.0.4:8083 1 backup",
                                             }));
  });
}

TEST_F(DnsDiscoveryTest, ADeadResolverKeepsTheLastGoodSet) {
  write_hosts("127.0.0.2 web.test\n");
  ASSERT_TRUE(start_dns());
  conf::Config c =
      config("[\"web.test:80\"]", "refresh_floor = \"100ms\", refresh_ceiling = \"100ms\"");
  DnsDiscovery discovery(c.clusters.at(0), nullptr);
  run_beside(discovery, [&]() -> core::Task<void> {
    bool found = co_await eventually([&] { return discovery.stats().changes == 1; });
    EXPECT_TRUE(found);
    dns_.stop();
    bool failing = co_await eventually([&] { return discovery.stats().failures >= 3; });
    EXPECT_TRUE(failing);
    EXPECT_EQ(describe(discovery.current()), (Lines{"web.test:80 127.0.0.2:80 1"}));
    EXPECT_EQ(discovery.stats().changes, 1u);
    // Back, with another address: found again.
    write_hosts("127.0.0.3 web.test\n");
    bool restarted = start_dns();
    EXPECT_TRUE(restarted);
    bool changed = co_await eventually([&] { return discovery.stats().changes == 2; });
    EXPECT_TRUE(changed);
    EXPECT_EQ(describe(discovery.current()), (Lines{"web.test:80 127.0.0.3:80 1"}));
  });
}

TEST_F(DnsDiscoveryTest, AMissingNameIsAFailureNotAnEmptySet) {
  write_hosts("127.0.0.2 web.test\n");
  ASSERT_TRUE(start_dns());
  conf::Config c = config("[\"web.test:80\", \"gone.test:80\"]",
                          "refresh_floor = \"100ms\", refresh_ceiling = \"100ms\"");
  DnsDiscovery discovery(c.clusters.at(0), nullptr);
  run_beside(discovery, [&]() -> core::Task<void> {
    bool failing = co_await eventually(
        [&] { return discovery.stats().changes == 1 && discovery.stats().failures >= 2; });
    EXPECT_TRUE(failing);
  });
  EXPECT_EQ(describe(discovery.current()), (Lines{"web.test:80 127.0.0.2:80 1"}));
}

TEST_F(DnsDiscoveryTest, ALongTtlIsClampedToTheCeiling) {
  write_hosts("127.0.0.2 web.test\n");
  ASSERT_TRUE(start_dns({"--local-ttl=3600"}));
  conf::Config c =
      config("[\"web.test:80\"]", "refresh_floor = \"100ms\", refresh_ceiling = \"200ms\"");
  DnsDiscovery discovery(c.clusters.at(0), nullptr);
  run_beside(discovery, [&]() -> core::Task<void> {
    // An hour's TTL, yet looked up again every 200ms.
    bool again = co_await eventually([&] { return discovery.stats().lookups >= 5; });
    EXPECT_TRUE(again);
  });
  EXPECT_EQ(discovery.stats().failures, 0u);
}

TEST_F(DnsDiscoveryTest, AZeroTtlIsRaisedToTheFloor) {
  write_hosts("127.0.0.2 web.test\n");
  ASSERT_TRUE(start_dns({"--local-ttl=0"}));
  conf::Config c = config("[\"web.test:80\"]", "refresh_floor = \"1h\", refresh_ceiling = \"2h\"");
  DnsDiscovery discovery(c.clusters.at(0), nullptr);
  run_beside(discovery, [&]() -> core::Task<void> {
    bool found = co_await eventually([&] { return discovery.stats().changes == 1; });
    EXPECT_TRUE(found);
    co_await idle(1000ms);
  });
  // A TTL of 0 would ask again at once; the floor (1h) holds it to the one lookup.
  EXPECT_EQ(discovery.stats().lookups, 1u);
}

TEST_F(DnsDiscoveryTest, StopEndsALookupInFlight) {
  // A resolver that never answers: the lookup waits for its (long) timeout unless stopped.
  ringress::test::Fd silent(::socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(silent.get(), reinterpret_cast<sockaddr*>(&sin), sizeof(sin)), 0);
  socklen_t len = sizeof(sin);
  ::getsockname(silent.get(), reinterpret_cast<sockaddr*>(&sin), &len);
  port_ = ntohs(sin.sin_port);
  conf::Config c = config("[\"web.test:80\"]", "timeout = \"20s\"");
  DnsDiscovery discovery(c.clusters.at(0), nullptr);
  auto start = std::chrono::steady_clock::now();
  run_beside(discovery, [&]() -> core::Task<void> {
    bool asked = co_await eventually([&] { return discovery.stats().lookups == 1; });
    EXPECT_TRUE(asked);
    co_await idle(100ms);
  });
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(discovery.stats().failures, 0u);  // stopped, not failed
  EXPECT_TRUE(discovery.current().empty());
}

}  // namespace
}  // namespace ringress::lb
