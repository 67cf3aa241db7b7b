// A worker's cluster state across host-set swaps (lb/upstream_cluster.h): a request keeps the
// snapshot it started with, hosts that stay keep their pooled connections (by address), hosts
// that go lose theirs once no request holds the old snapshot; and how snapshots offer hosts
// (lb/cluster_hosts.h): backups, panic mode, no available host.
#include "lb/upstream_cluster.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include "core/buffer_pool.h"
#include "core/reactor.h"
#include "core/socket.h"
#include "lb/cluster_hosts.h"

namespace ringress::lb {
namespace {

// A listening socket on 127.0.0.1 whose backlog completes our connects.
struct Listener {
  Listener() {
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string error;
    socket = core::listen_tcp(core::SocketAddress(reinterpret_cast<sockaddr*>(&any), sizeof(any)),
                              16, false, error);
    address = core::local_address(socket.fd());
  }
  core::Socket socket;
  core::SocketAddress address;
};

conf::Cluster cluster_of(const std::vector<core::SocketAddress>& addresses) {
  conf::Cluster c;
  c.name = "c";
  for (const auto& a : addresses) {
    conf::Endpoint& e = c.endpoints.emplace_back();
    e.text = a.to_string();
    e.addresses = {a};
  }
  return c;
}

// An idle connection to host `h` of `s`, put in the pool.
core::Task<bool> pool_one(UpstreamCluster& uc, const UpstreamCluster::Snapshot& s, std::size_t h) {
  ConnectOutcome c = co_await uc.pool.connect(s.slots[h]);
  if (!c.connection) co_return false;
  c.connection->count_request();
  uc.pool.release(std::move(c.connection), true);
  co_return true;
}

TEST(UpstreamCluster, ARequestKeepsItsSnapshotAndHostsThatStayKeepTheirConnections) {
  core::Reactor reactor;
  core::BufferPool buffers(reactor, 4096, 64);
  Listener a, b, c;
  conf::Cluster config = cluster_of({a.address, b.address});
  conf::Cluster later = cluster_of({a.address, c.address});
  auto main = [&]() -> core::Task<void> {
    UpstreamCluster uc(config, make_host_set(1, static_host_entries(config), config), buffers,
                       65536, 7);
    {
      SnapshotLease old(uc);  // a request in flight
      bool pooled = co_await pool_one(uc, *old, 0);
      EXPECT_TRUE(pooled);
      pooled = co_await pool_one(uc, *old, 1);
      EXPECT_TRUE(pooled);
      const uint32_t slot_a = old->slots[0], slot_b = old->slots[1];

      uc.update(make_host_set(2, static_host_entries(later), config));
      // The request still sees hosts a and b, and may still pick b (say for a retry).
      EXPECT_EQ(old->set->version, 1u);
      EXPECT_EQ(old->host(1).address, b.address);
      const std::size_t tried_a[] = {0};
      EXPECT_EQ(uc.pick(*old, {std::nullopt, tried_a}), std::optional<std::size_t>(1));
      {
        SnapshotLease fresh(uc);  // a request that starts after the swap
        EXPECT_EQ(fresh->set->version, 2u);
        EXPECT_EQ(fresh->host(1).address, c.address);
        // a kept its slot and its idle connection; c got another slot.
        EXPECT_EQ(fresh->slots[0], slot_a);
        EXPECT_NE(fresh->slots[1], slot_b);
        EXPECT_EQ(uc.pool.idle_count(slot_a), 1u);
        std::unique_ptr<UpstreamConnection> reused = uc.pool.take_idle(fresh->slots[0]);
        EXPECT_TRUE(reused);
        EXPECT_EQ(uc.pool.stats().reused, 1u);
        if (reused) uc.pool.release(std::move(reused), true);
      }
      // b's connection stays while the old request may still use it...
      EXPECT_EQ(uc.pool.idle_count(slot_b), 1u);
    }
    // ...and is closed once no request holds the old snapshot.
    SnapshotLease now(uc);
    for (std::size_t s = 0; s < uc.pool.host_count(); ++s) {
      if (uc.pool.host(s).address == b.address) {
        EXPECT_EQ(uc.pool.idle_count(s), 0u);
      }
    }
    EXPECT_EQ(uc.pool.idle_count(now->slots[0]), 1u);
    uc.pool.close_idle();
    co_await core::Yield{};
  };
  reactor.run(main());
}

std::vector<HostEntry> entries(const std::vector<std::pair<bool, bool>>& healthy_backup) {
  std::vector<HostEntry> out;
  for (std::size_t i = 0; i < healthy_backup.size(); ++i) {
    HostEntry& e = out.emplace_back();
    e.host.address_text = "10.0.0." + std::to_string(i + 1) + ":80";
    e.healthy = healthy_backup[i].first;
    e.priority = healthy_backup[i].second ? 1 : 0;
  }
  return out;
}

std::vector<bool> offered(const HostSet& set) {
  std::vector<bool> out;
  for (const LbHost& h : set.view) out.push_back(h.available);
  return out;
}

TEST(ClusterHosts, BackupsJoinOnlyWhenTooFewPrimariesAreAvailable) {
  conf::Cluster config;
  // Four primaries up, one backup: the backup gets nothing.
  auto set = make_host_set(
      1, entries({{true, false}, {true, false}, {true, false}, {true, false}, {true, true}}),
      config);
  EXPECT_EQ(offered(*set), (std::vector<bool>{true, true, true, true, false}));
  // Three of four (75% x 1.4 > 100%): still primaries only.
  set = make_host_set(
      2, entries({{false, false}, {true, false}, {true, false}, {true, false}, {true, true}}),
      config);
  EXPECT_EQ(offered(*set), (std::vector<bool>{false, true, true, true, false}));
  // Two of four (70%): the backup takes the remaining 30%.
  set = make_host_set(
      3, entries({{false, false}, {false, false}, {true, false}, {true, false}, {true, true}}),
      config);
  EXPECT_EQ(offered(*set), (std::vector<bool>{false, false, true, true, true}));
  EXPECT_EQ(set->view[2].weight, 35000u);  // 70% of the traffic over two primaries
  EXPECT_EQ(set->view[4].weight, 30000u);  // 30% on the backup
  EXPECT_FALSE(set->panic);
  // No primary: the backup takes it all.
  set = make_host_set(4, entries({{false, false}, {true, true}}), config);
  EXPECT_EQ(offered(*set), (std::vector<bool>{false, true}));
  EXPECT_EQ(set->view[1].weight, 1u);
}

TEST(ClusterHosts, PanicOffersEveryHostAndNoneAvailableOffersNothing) {
  conf::Cluster config;  // panic_threshold 50
  auto set =
      make_host_set(1, entries({{true, false}, {false, false}, {false, false}, {false, false}}),
                    config);  // 25% x 1.4 = 35% < 50%
  EXPECT_TRUE(set->panic);
  EXPECT_EQ(offered(*set), (std::vector<bool>{true, true, true, true}));
  set = make_host_set(2, entries({{false, false}, {false, false}}), config);
  EXPECT_FALSE(set->panic);
  EXPECT_EQ(offered(*set), (std::vector<bool>{false, false}));
  config.panic_threshold = 0;  // never panic
  set = make_host_set(3, entries({{true, false}, {false, false}, {false, false}, {false, false}}),
                      config);
  EXPECT_FALSE(set->panic);
  EXPECT_EQ(offered(*set), (std::vector<bool>{true, false, false, false}));
}

}  // namespace
}  // namespace ringress::lb
