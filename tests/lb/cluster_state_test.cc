// ClusterState: outcomes reported on an older snapshot still count when that snapshot had the
// same host list (a health change or an ejection publishes a new version of the same hosts), and
// are moved to their host's new index by address when the list changed once since.
#include "lb/cluster_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ringress::lb {
namespace {

core::SocketAddress address(int port) {
  return *core::SocketAddress::parse_numeric("127.0.0.1:" + std::to_string(port));
}

// Hosts 127.0.0.1:1001.. (one endpoint each) with consecutive_5xx = 3 and no other rule.
conf::Cluster cluster_of(int hosts) {
  conf::Cluster c;
  c.name = "backend";
  for (int i = 0; i < hosts; ++i) {
    conf::Endpoint e;
    e.text = "127.0.0.1:" + std::to_string(1001 + i);
    e.addresses.push_back(address(1001 + i));
    c.endpoints.push_back(e);
  }
  conf::OutlierDetection od;
  od.consecutive_5xx = 3;
  od.consecutive_gateway_failure = 0;
  od.max_ejection_percent = 100;
  c.outlier_detection = od;
  return c;
}

DiscoveredEndpoint discovered(int port) {
  DiscoveredEndpoint e;
  e.address = address(port);
  e.name = "127.0.0.1:" + std::to_string(port);
  return e;
}

class ClusterStateTest : public ::testing::Test {
 protected:
  ClusterStateTest()
      : config_(cluster_of(3)),
        state_(config_, [this](const HostSetPtr& set) { published_.push_back(set); }) {}

  void report(std::size_t host, HostOutcome outcome, uint64_t version) {
    OutcomeReport r{host, outcome, version};
    state_.record(std::span<const OutcomeReport>(&r, 1), now_);
  }
  bool ejected(std::size_t host) const { return state_.current()->hosts[host].ejected; }

  conf::Cluster config_;
  std::vector<HostSetPtr> published_;
  ClusterState state_;
  core::TimePoint now_ = core::Clock::now();
};

TEST_F(ClusterStateTest, ReportsOnASnapshotOfTheSameHostsCountAfterAHealthChange) {
  const uint64_t v1 = state_.current()->version;
  report(0, HostOutcome::status_5xx, v1);
  report(0, HostOutcome::status_5xx, v1);
  state_.set_healthy(2, false, "status 503");  // a new snapshot, same hosts
  ASSERT_EQ(published_.size(), 1u);
  ASSERT_GT(state_.current()->version, v1);
  // The third 5xx of a request that started on v1 ends the run: host 0 is ejected.
  report(0, HostOutcome::status_5xx, v1);
  EXPECT_TRUE(ejected(0));
  EXPECT_EQ(state_.stats().stale_outcomes, 0u);
  EXPECT_EQ(state_.outlier_detector()->stats().ejections_consecutive_5xx, 1u);
}

TEST_F(ClusterStateTest, ReportsOnASnapshotBeforeAnEjectionCount) {
  const uint64_t v1 = state_.current()->version;
  for (int i = 0; i < 3; ++i) report(1, HostOutcome::status_5xx, v1);
  ASSERT_TRUE(ejected(1));  // published v2, same hosts
  report(0, HostOutcome::status_5xx, v1);
  report(0, HostOutcome::status_5xx, state_.current()->version);
  report(0, HostOutcome::status_5xx, v1);
  EXPECT_TRUE(ejected(0));
  EXPECT_EQ(state_.stats().stale_outcomes, 0u);
}

TEST_F(ClusterStateTest, ReportsOnThePreviousListMoveToTheirHostsNewIndex) {
  const uint64_t v1 = state_.current()->version;
  report(2, HostOutcome::status_5xx, v1);  // 127.0.0.1:1003
  report(0, HostOutcome::status_5xx, v1);  // 127.0.0.1:1001, which leaves
  // Discovery drops :1001 and adds :1004: :1003 is now index 1.
  std::vector<DiscoveredEndpoint> next = {discovered(1002), discovered(1003), discovered(1004)};
  state_.set_endpoints(next);
  const uint64_t v2 = state_.current()->version;
  ASSERT_EQ(state_.current()->hosts[1].host.address_text, "127.0.0.1:1003");
  report(2, HostOutcome::status_5xx, v1);  // still :1003
  report(1, HostOutcome::status_5xx, v2);
  EXPECT_TRUE(ejected(1));
  EXPECT_FALSE(ejected(2));
  // A report about the host that left is dropped, not given to whoever has its old index.
  report(0, HostOutcome::status_5xx, v1);
  EXPECT_EQ(state_.stats().stale_outcomes, 1u);
}

TEST_F(ClusterStateTest, ReportsTwoListsOldAreDropped) {
  const uint64_t v1 = state_.current()->version;
  std::vector<DiscoveredEndpoint> second = {discovered(1001), discovered(1002)};
  state_.set_endpoints(second);
  std::vector<DiscoveredEndpoint> third = {discovered(1001), discovered(1002), discovered(1005)};
  state_.set_endpoints(third);
  for (int i = 0; i < 3; ++i) report(0, HostOutcome::status_5xx, v1);
  EXPECT_FALSE(ejected(0));
  EXPECT_EQ(state_.stats().stale_outcomes, 3u);
}

}  // namespace
}  // namespace ringress::lb
