// FileDiscovery with real files: the set read at load, a new file renamed over the old one (as
// consul-template writes), a file rewritten in place, a bad file that keeps the last good set,
// a deleted file recreated, TOML as well as JSON, and unrelated files in the same directory.
#include "lb/file_discovery.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "tests/lb/discovery_harness.h"
#include "tests/lb/dnsmasq.h"
#include "tests/support/temp_dir.h"

namespace ringress::lb {
namespace {

using namespace std::chrono_literals;
using lb::test::cluster_config;
using lb::test::describe;
using lb::test::eventually;
using lb::test::idle;
using lb::test::run_beside;
using ringress::test::write_file_atomically;
using Lines = std::vector<std::string>;

std::string json_endpoints(const std::vector<std::string>& entries) {
  std::string out = "{\"endpoints\": [";
  for (size_t i = 0; i < entries.size(); ++i) out += (i ? ", " : "") + entries[i];
  return out + "]}";
}

class FileDiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }
  std::string path(const std::string& name) const { return dir_.path() + "/" + name; }
  conf::Config config(const std::string& name) {
    return cluster_config("discovery = \"file\"\nfile = { path = \"" + path(name) + "\" }\n");
  }
  ringress::test::TempDir dir_;
};

TEST_F(FileDiscoveryTest, FollowsRenamesAndInPlaceWrites) {
  write_file_atomically(path("endpoints.json"),
                        json_endpoints({R"({"address": "10.0.0.1:80", "weight": 2})",
                                        R"({"address": "10.0.0.2:80"})"}));
  conf::Config c = config("endpoints.json");
  std::vector<std::vector<DiscoveredEndpoint>> reports;
  FileDiscovery discovery(c.clusters.at(0), [&](auto set) { reports.push_back(std::move(set)); });
  // The set read at load.
  EXPECT_EQ(describe(discovery.current()),
            (Lines{"10.0.0.1:80 10.0.0.1:80 2", "10.0.0.2:80 10.0.0.2:80 1"}));
  run_beside(discovery, [&]() -> core::Task<void> {
    // Read again at start: the same set, nothing reported.
    bool read = co_await eventually([&] { return discovery.stats().reloads == 1; });
    EXPECT_TRUE(read);
    EXPECT_TRUE(reports.empty());
    // A new file renamed over it.
    write_file_atomically(
        path("endpoints.json"),
        json_endpoints(
            {R"({"address": "10.0.0.1:80", "weight": 2})",
             R"({"address": "10.0.0.3:80", "backup": true, "metadata": {"zone": "c"}})"}));
    bool renamed = co_await eventually([&] { return reports.size() == 1; });
    EXPECT_TRUE(renamed);
    EXPECT_EQ(describe(discovery.current()),
              (Lines{"10.0.0.1:80 10.0.0.1:80 2", "10.0.0.3:80 10.0.0.3:80 1 backup zone=c"}));
    // Written in place.
    std::ofstream(path("endpoints.json"), std::ios::trunc)
        << json_endpoints({R"({"address": "[::1]:81", "weight": 7})"});
    bool written = co_await eventually([&] { return reports.size() == 2; });
    EXPECT_TRUE(written);
    EXPECT_EQ(describe(discovery.current()), (Lines{"[::1]:81 [::1]:81 7"}));
  });
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[1], discovery.current());
  EXPECT_EQ(discovery.stats().changes, 2u);
  EXPECT_EQ(discovery.stats().failures, 0u);
}

TEST_F(FileDiscoveryTest, ABadFileKeepsTheLastGoodSet) {
  write_file_atomically(path("endpoints.json"), json_endpoints({R"({"address": "10.0.0.1:80"})"}));
  conf::Config c = config("endpoints.json");
  FileDiscovery discovery(c.clusters.at(0), nullptr);
  run_beside(discovery, [&]() -> core::Task<void> {
    bool read = co_await eventually([&] { return discovery.stats().reloads == 1; });
    EXPECT_TRUE(read);
    write_file_atomically(path("endpoints.json"),
                          R"({"endpoints": [{"address": "10.0.0.2:80",}]})");
    bool failed = co_await eventually([&] { return discovery.stats().failures == 1; });
    EXPECT_TRUE(failed);
    write_file_atomically(path("endpoints.json"),
                          json_endpoints({R"({"address": "web.internal:80"})"}));
    bool failed_again = co_await eventually([&] { return discovery.stats().failures == 2; });
    EXPECT_TRUE(failed_again);
    EXPECT_EQ(describe(discovery.current()), (Lines{"10.0.0.1:80 10.0.0.1:80 1"}));
    EXPECT_EQ(discovery.stats().changes, 0u);
    // Fixed: taken.
    write_file_atomically(path("endpoints.json"),
                          json_endpoints({R"({"address": "10.0.0.2:80"})"}));
    bool fixed = co_await eventually([&] { return discovery.stats().changes == 1; });
    EXPECT_TRUE(fixed);
    EXPECT_EQ(describe(discovery.current()), (Lines{"10.0.0.2:80 10.0.0.2:80 1"}));
  });
}

TEST_F(FileDiscoveryTest, ADeletedFileKeepsTheSetUntilItIsWrittenAgain) {
  write_file_atomically(path("endpoints.toml"), "[[endpoints]]\naddress = \"10.0.0.1:80\"\n");
  conf::Config c = config("endpoints.toml");
  FileDiscovery discovery(c.clusters.at(0), nullptr);
  run_beside(discovery, [&]() -> core::Task<void> {
    bool read = co_await eventually([&] { return discovery.stats().reloads == 1; });
    EXPECT_TRUE(read);
    ::unlink(path("endpoints.toml").c_str());
    co_await idle(200ms);
    EXPECT_EQ(describe(discovery.current()), (Lines{"10.0.0.1:80 10.0.0.1:80 1"}));
    EXPECT_EQ(discovery.stats().failures, 0u);  // a deletion is not read at all
    write_file_atomically(path("endpoints.toml"),
                          "[[endpoints]]\naddress = \"10.0.0.5:80\"\nweight = 3\n"
                          "metadata = { zone = \"a\" }\n");
    bool recreated = co_await eventually([&] { return discovery.stats().changes == 1; });
    EXPECT_TRUE(recreated);
    EXPECT_EQ(describe(discovery.current()), (Lines{"10.0.0.5:80 10.0.0.5:80 3 zone=a"}));
  });
}

TEST_F(FileDiscoveryTest, OtherFilesInTheDirectoryAreIgnored) {
  write_file_atomically(path("endpoints.json"), json_endpoints({R"({"address": "10.0.0.1:80"})"}));
  conf::Config c = config("endpoints.json");
  FileDiscovery discovery(c.clusters.at(0), nullptr);
  run_beside(discovery, [&]() -> core::Task<void> {
    bool read = co_await eventually([&] { return discovery.stats().reloads == 1; });
    EXPECT_TRUE(read);
    write_file_atomically(path("other.json"), "not json");
    std::ofstream(path("endpoints.json.bak")) << "x";
    co_await idle(200ms);
    EXPECT_EQ(discovery.stats().reloads, 1u);
    EXPECT_EQ(discovery.stats().failures, 0u);
  });
}

}  // namespace
}  // namespace ringress::lb
