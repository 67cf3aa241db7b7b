// Loading a cluster's outlier_detection: the defaults, every key read, and the exact message
// (file:line:column, key) for each kind of mistake.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "conf/config.h"
#include "tests/conf/config_text.h"

namespace ringress::conf {
namespace {

using namespace std::chrono_literals;

using test::error_of;
using test::users_cluster;  // a tcp listener (lines 1-4), cluster "users" (5-7), `keys` from 8

std::optional<OutlierDetection> outlier_of(std::string_view keys) {
  return parse_config(users_cluster(keys), "proxy.toml").clusters.at(0).outlier_detection;
}

void expect_defaults(const OutlierDetection& o) {
  EXPECT_EQ(o.consecutive_5xx, 5u);
  EXPECT_EQ(o.consecutive_gateway_failure, 5u);
  EXPECT_EQ(o.interval, 10s);
  EXPECT_EQ(o.base_ejection_time, 30s);
  EXPECT_EQ(o.max_ejection_time, 300s);
  EXPECT_EQ(o.max_ejection_percent, 10u);
  EXPECT_FALSE(o.success_rate);
}

TEST(OutlierConfig, OffUnlessAskedFor) {
  EXPECT_FALSE(outlier_of(""));
  EXPECT_FALSE(outlier_of("outlier_detection = false\n"));
}

TEST(OutlierConfig, TrueOrAnEmptyTableMeansEveryDefault) {
  std::optional<OutlierDetection> on = outlier_of("outlier_detection = true\n");
  ASSERT_TRUE(on);
  expect_defaults(*on);
  std::optional<OutlierDetection> empty = outlier_of("outlier_detection = {}\n");
  ASSERT_TRUE(empty);
  expect_defaults(*empty);
}

TEST(OutlierConfig, EveryKeyIsRead) {
  std::optional<OutlierDetection> o = outlier_of(
      "[clusters.outlier_detection]\n"
      "consecutive_5xx = 3\n"
      "consecutive_gateway_failure = 0\n"
      "interval = \"2s\"\n"
      "base_ejection_time = \"500ms\"\n"
      "max_ejection_time = \"5s\"\n"
      "max_ejection_percent = 50\n"
      "success_rate = { minimum_hosts = 3, request_volume = 20, stdev_factor = 1.5 }\n");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->consecutive_5xx, 3u);
  EXPECT_EQ(o->consecutive_gateway_failure, 0u);
  EXPECT_EQ(o->interval, 2s);
  EXPECT_EQ(o->base_ejection_time, 500ms);
  EXPECT_EQ(o->max_ejection_time, 5s);
  EXPECT_EQ(o->max_ejection_percent, 50u);
  ASSERT_TRUE(o->success_rate);
  EXPECT_EQ(o->success_rate->minimum_hosts, 3u);
  EXPECT_EQ(o->success_rate->request_volume, 20u);
  EXPECT_EQ(o->success_rate->stdev_factor, 1.5);
}

TEST(OutlierConfig, SuccessRateDefaultsAndIntegerFactor) {
  std::optional<OutlierDetection> on = outlier_of("outlier_detection = { success_rate = true }\n");
  ASSERT_TRUE(on && on->success_rate);
  EXPECT_EQ(on->success_rate->minimum_hosts, 5u);
  EXPECT_EQ(on->success_rate->request_volume, 100u);
  EXPECT_EQ(on->success_rate->stdev_factor, 1.9);
  std::optional<OutlierDetection> off =
      outlier_of("outlier_detection = { success_rate = false }\n");
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->success_rate);
  std::optional<OutlierDetection> two =
      outlier_of("outlier_detection = { success_rate = { stdev_factor = 2 } }\n");
  ASSERT_TRUE(two && two->success_rate);
  EXPECT_EQ(two->success_rate->stdev_factor, 2.0);
}

TEST(OutlierConfig, BaseEjectionTimeMayEqualTheMax) {
  std::optional<OutlierDetection> o = outlier_of(
      "outlier_detection = { base_ejection_time = \"1m\", max_ejection_time = \"60s\" }\n");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->base_ejection_time, o->max_ejection_time);
}

TEST(OutlierConfig, Mistakes) {
  EXPECT_EQ(error_of(users_cluster("outlier_detection = 5\n")),
            "proxy.toml:8:21: clusters[0].outlier_detection: expected true, false or a table, "
            "got integer");
  EXPECT_EQ(error_of(users_cluster("outlier_detection = { consecutive_500 = 3 }\n")),
            "proxy.toml:8:23: clusters[0].outlier_detection.consecutive_500: unknown key (did "
            "you mean \"consecutive_5xx\"?)");
  EXPECT_EQ(error_of(users_cluster("outlier_detection = { consecutive_5xx = -1 }\n")),
            "proxy.toml:8:41: clusters[0].outlier_detection.consecutive_5xx: must be between 0 "
            "and 1000000, got -1");
  EXPECT_EQ(
      error_of(users_cluster("outlier_detection = { consecutive_gateway_failure = \"5\" }\n")),
      "proxy.toml:8:53: clusters[0].outlier_detection.consecutive_gateway_failure: "
      "expected an integer, got string");
  EXPECT_EQ(error_of(users_cluster("outlier_detection = { interval = \"0s\" }\n")),
            "proxy.toml:8:34: clusters[0].outlier_detection.interval: must be between 1ms and "
            "1h, got \"0s\"");
  EXPECT_EQ(error_of(users_cluster("outlier_detection = { interval = 10 }\n")),
            "proxy.toml:8:34: clusters[0].outlier_detection.interval: expected a duration string "
            "like \"5s\", got integer");
  EXPECT_EQ(error_of(users_cluster("outlier_detection = { base_ejection_time = \"25h\" }\n")),
            "proxy.toml:8:44: clusters[0].outlier_detection.base_ejection_time: must be between "
            "1ms and 24h, got \"25h\"");
  EXPECT_EQ(
      error_of(users_cluster(
          "outlier_detection = { base_ejection_time = \"1m\", max_ejection_time = \"30s\" }\n")),
      "proxy.toml:8:70: clusters[0].outlier_detection.max_ejection_time: max_ejection_time "
      "(30s) is below base_ejection_time (1m)");
  EXPECT_EQ(error_of(users_cluster("outlier_detection = { base_ejection_time = \"10m\" }\n")),
            "proxy.toml:8:44: clusters[0].outlier_detection.base_ejection_time: "
            "max_ejection_time (5m) is below base_ejection_time (10m)");
  EXPECT_EQ(error_of(users_cluster("outlier_detection = { max_ejection_percent = 101 }\n")),
            "proxy.toml:8:46: clusters[0].outlier_detection.max_ejection_percent: must be "
            "between 0 and 100, got 101");
  EXPECT_EQ(error_of(users_cluster("outlier_detection = { success_rate = \"yes\" }\n")),
            "proxy.toml:8:38: clusters[0].outlier_detection.success_rate: expected true, false "
            "or a table, got string");
  EXPECT_EQ(
      error_of(users_cluster("outlier_detection = { success_rate = { minimum_host = 3 } }\n")),
      "proxy.toml:8:40: clusters[0].outlier_detection.success_rate.minimum_host: unknown "
      "key (did you mean \"minimum_hosts\"?)");
  EXPECT_EQ(
      error_of(users_cluster("outlier_detection = { success_rate = { minimum_hosts = 0 } }\n")),
      "proxy.toml:8:56: clusters[0].outlier_detection.success_rate.minimum_hosts: must be "
      "between 1 and 1000000, got 0");
  EXPECT_EQ(
      error_of(users_cluster("outlier_detection = { success_rate = { request_volume = 0 } }\n")),
      "proxy.toml:8:57: clusters[0].outlier_detection.success_rate.request_volume: must be "
      "between 1 and 1000000000, got 0");
  EXPECT_EQ(error_of(users_cluster(
                "outlier_detection = { success_rate = { stdev_factor = \"1.9\" } }\n")),
            "proxy.toml:8:55: clusters[0].outlier_detection.success_rate.stdev_factor: expected a "
            "number, got string");
  EXPECT_EQ(
      error_of(users_cluster("outlier_detection = { success_rate = { stdev_factor = -0.5 } }\n")),
      "proxy.toml:8:55: clusters[0].outlier_detection.success_rate.stdev_factor: must be "
      "between 0 and 100, got -0.5");
  EXPECT_EQ(
      error_of(users_cluster("outlier_detection = { success_rate = { stdev_factor = nan } }\n")),
      "proxy.toml:8:55: clusters[0].outlier_detection.success_rate.stdev_factor: must be "
      "between 0 and 100, got nan");
  // A table header form places the error on its own line.
  EXPECT_EQ(error_of(users_cluster("[clusters.outlier_detection]\nmax_ejection_percent = 200\n")),
            "proxy.toml:9:24: clusters[0].outlier_detection.max_ejection_percent: must be "
            "between 0 and 100, got 200");
}

}  // namespace
}  // namespace ringress::conf
