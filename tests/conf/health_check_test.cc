// Loading a cluster's health_check table: the defaults, every key read, and the exact message
// (file:line:column, key) for each kind of mistake.
#include <gtest/gtest.h>

#include <string>

#include "conf/config.h"
#include "tests/conf/config_text.h"

namespace ringress::conf {
namespace {

using std::chrono::milliseconds;

using test::error_of;
using test::users_cluster;  // a tcp listener (lines 1-4), cluster "users" (5-7), `keys` from 8

// The cluster with `health_check = { <fields> }` on line 8; the table's first key is at column 18.
std::string check(std::string_view fields) {
  return users_cluster("health_check = { " + std::string(fields) + " }\n");
}

HealthCheck loaded(std::string_view fields) {
  Config config = parse_config(check(fields), "proxy.toml");
  EXPECT_TRUE(config.clusters.at(0).health_check.has_value());
  return config.clusters.at(0).health_check.value_or(HealthCheck{});
}

TEST(HealthCheckConfig, AbsentByDefault) {
  Config config = parse_config(users_cluster(""), "proxy.toml");
  EXPECT_FALSE(config.clusters.at(0).health_check.has_value());
}

TEST(HealthCheckConfig, HttpDefaultsAreAsDocumented) {
  HealthCheck c = loaded("kind = \"http\", path = \"/healthz\"");
  EXPECT_EQ(c.kind, HealthCheck::Kind::http);
  EXPECT_EQ(c.interval, milliseconds(5000));
  EXPECT_EQ(c.timeout, milliseconds(1000));
  EXPECT_EQ(c.interval_jitter_percent, 10u);
  EXPECT_EQ(c.unhealthy_interval, milliseconds(5000));
  EXPECT_EQ(c.healthy_threshold, 2u);
  EXPECT_EQ(c.unhealthy_threshold, 3u);
  EXPECT_EQ(c.path, "/healthz");
  EXPECT_EQ(c.method, "GET");
  EXPECT_EQ(c.host, "");
  EXPECT_EQ(c.expected_statuses, (std::vector<StatusRange>{{200, 200}}));
  EXPECT_EQ(c.expected_body, "");
  EXPECT_TRUE(c.accepts(200));
  EXPECT_FALSE(c.accepts(204));
}

TEST(HealthCheckConfig, EveryHttpKeyIsRead) {
  HealthCheck c = loaded(
      "kind = \"http\", interval = \"2s\", timeout = \"250ms\", interval_jitter = 25, "
      "unhealthy_interval = \"500ms\", healthy_threshold = 1, unhealthy_threshold = 5, "
      "path = \"/status?full=1\", method = \"HEAD\", host = \"api.internal:8080\", "
      "expected_statuses = [200, \"204-299\", 301]");
  EXPECT_EQ(c.interval, milliseconds(2000));
  EXPECT_EQ(c.timeout, milliseconds(250));
  EXPECT_EQ(c.interval_jitter_percent, 25u);
  EXPECT_EQ(c.unhealthy_interval, milliseconds(500));
  EXPECT_EQ(c.healthy_threshold, 1u);
  EXPECT_EQ(c.unhealthy_threshold, 5u);
  EXPECT_EQ(c.path, "/status?full=1");
  EXPECT_EQ(c.method, "HEAD");
  EXPECT_EQ(c.host, "api.internal:8080");
  EXPECT_EQ(c.expected_statuses, (std::vector<StatusRange>{{200, 200}, {204, 299}, {301, 301}}));
  EXPECT_TRUE(c.accepts(250));
  EXPECT_FALSE(c.accepts(201));
  EXPECT_FALSE(c.accepts(300));
}

TEST(HealthCheckConfig, UnhealthyIntervalFollowsInterval) {
  EXPECT_EQ(loaded("kind = \"tcp\", interval = \"3s\"").unhealthy_interval, milliseconds(3000));
}

TEST(HealthCheckConfig, OtherValueForms) {
  EXPECT_EQ(
      loaded("kind = \"http\", path = \"/\", expected_statuses = \"200-399\"").expected_statuses,
      (std::vector<StatusRange>{{200, 399}}));
  EXPECT_EQ(loaded("kind = \"http\", path = \"/\", expected_statuses = 204").expected_statuses,
            (std::vector<StatusRange>{{204, 204}}));
  EXPECT_EQ(
      loaded("kind = \"http\", path = \"/\", interval_jitter = \"0%\"").interval_jitter_percent,
      0u);
  EXPECT_EQ(loaded("kind = \"http\", path = \"/\", expected_body = \"ok\"").expected_body, "ok");
}

TEST(HealthCheckConfig, TcpKeysAreRead) {
  HealthCheck text = loaded("kind = \"tcp\", send = \"PING\\r\\n\", expect = \"+PONG\"");
  EXPECT_EQ(text.kind, HealthCheck::Kind::tcp);
  EXPECT_EQ(text.send, "PING\r\n");
  EXPECT_EQ(text.expect, "+PONG");
  HealthCheck hex =
      loaded("kind = \"tcp\", send = { hex = \"00ff0D0a\" }, expect = { hex = \"80\" }");
  EXPECT_EQ(hex.send, std::string("\x00\xff\r\n", 4));
  EXPECT_EQ(hex.expect, "\x80");
  HealthCheck bare = loaded("kind = \"tcp\"");
  EXPECT_EQ(bare.send, "");
  EXPECT_EQ(bare.expect, "");
}

TEST(HealthCheckConfig, SubTableFormIsRead) {
  Config config = parse_config(
      users_cluster("[clusters.health_check]\nkind = \"http\"\npath = \"/ok\"\n"), "proxy.toml");
  ASSERT_TRUE(config.clusters.at(0).health_check.has_value());
  EXPECT_EQ(config.clusters.at(0).health_check->path, "/ok");
}

TEST(HealthCheckConfig, Mistakes) {
  EXPECT_EQ(error_of(users_cluster("health_check = \"http\"\n")),
            "proxy.toml:8:16: clusters[0].health_check: expected a table, got string");
  EXPECT_EQ(error_of(check("path = \"/\"")),
            "proxy.toml:8:16: clusters[0].health_check.kind: required key is missing");
  EXPECT_EQ(error_of(check("kind = \"udp\"")),
            "proxy.toml:8:25: clusters[0].health_check.kind: expected one of \"http\" or "
            "\"tcp\", got \"udp\" (did you mean \"tcp\"?)");
  EXPECT_EQ(error_of(check("kind = \"http\"")),
            "proxy.toml:8:16: clusters[0].health_check.path: required key is missing");
  EXPECT_EQ(error_of(check("kind = \"http\", path = \"healthz\"")),
            "proxy.toml:8:40: clusters[0].health_check.path: a path starts with \"/\", got "
            "\"healthz\"");
  EXPECT_EQ(error_of(check("kind = \"http\", path = \"/a b\"")),
            "proxy.toml:8:40: clusters[0].health_check.path: a request path has no spaces, "
            "control characters or \"#\", got \"/a b\"");
  EXPECT_EQ(error_of(check("kind = \"http\", path = \"/\", methd = \"GET\"")),
            "proxy.toml:8:45: clusters[0].health_check.methd: unknown key (did you mean "
            "\"method\"?)");
  EXPECT_EQ(error_of(check("kind = \"http\", path = \"/\", method = \"POST\"")),
            "proxy.toml:8:54: clusters[0].health_check.method: expected one of \"GET\" or "
            "\"HEAD\", got \"POST\"");
  EXPECT_EQ(error_of(check("kind = \"http\", path = \"/\", host = \"a b\"")),
            "proxy.toml:8:52: clusters[0].health_check.host: expected a host name with an "
            "optional port, like \"api.internal\" or \"api.internal:8080\", got \"a b\"");
  EXPECT_EQ(error_of(check("kind = \"tcp\", path = \"/\"")),
            "proxy.toml:8:32: clusters[0].health_check.path: path is a key of kind = \"http\" "
            "health checks; this one's kind is \"tcp\"");
  EXPECT_EQ(error_of(check("kind = \"http\", path = \"/\", expect = \"x\"")),
            "proxy.toml:8:45: clusters[0].health_check.expect: expect is a key of kind = \"tcp\" "
            "health checks; this one's kind is \"http\"");
}

TEST(HealthCheckConfig, TimingMistakes) {
  EXPECT_EQ(error_of(check("kind = \"tcp\", interval = \"5ms\"")),
            "proxy.toml:8:43: clusters[0].health_check.interval: must be between 10ms and 1h, "
            "got \"5ms\"");
  EXPECT_EQ(error_of(check("kind = \"tcp\", interval = 5")),
            "proxy.toml:8:43: clusters[0].health_check.interval: expected a duration string "
            "like \"5s\", got integer");
  EXPECT_EQ(error_of(check("kind = \"tcp\", unhealthy_interval = \"2h\"")),
            "proxy.toml:8:53: clusters[0].health_check.unhealthy_interval: must be between "
            "10ms and 1h, got \"2h\"");
  EXPECT_EQ(error_of(check("kind = \"tcp\", timeout = \"0\"")),
            "proxy.toml:8:42: clusters[0].health_check.timeout: must be between 1ms and 10m, "
            "got \"0\"");
  EXPECT_EQ(error_of(check("kind = \"tcp\", interval_jitter = 101")),
            "proxy.toml:8:50: clusters[0].health_check.interval_jitter: must be between 0 and "
            "100, got 101");
  EXPECT_EQ(error_of(check("kind = \"tcp\", interval_jitter = \"ten\"")),
            "proxy.toml:8:50: clusters[0].health_check.interval_jitter: expected a percentage "
            "like 10 or \"10%\", got \"ten\"");
  EXPECT_EQ(error_of(check("kind = \"tcp\", interval_jitter = \"150%\"")),
            "proxy.toml:8:50: clusters[0].health_check.interval_jitter: must be between 0% and "
            "100%, got \"150%\"");
  EXPECT_EQ(error_of(check("kind = \"tcp\", healthy_threshold = 0")),
            "proxy.toml:8:52: clusters[0].health_check.healthy_threshold: must be between 1 and "
            "1000, got 0");
  EXPECT_EQ(error_of(check("kind = \"tcp\", unhealthy_threshold = 1001")),
            "proxy.toml:8:54: clusters[0].health_check.unhealthy_threshold: must be between 1 "
            "and 1000, got 1001");
}

TEST(HealthCheckConfig, StatusMistakes) {
  const std::string head = "kind = \"http\", path = \"/\", expected_statuses = ";  // value at 65
  EXPECT_EQ(error_of(check(head + "[]")),
            "proxy.toml:8:65: clusters[0].health_check.expected_statuses: must list at least one "
            "status");
  EXPECT_EQ(error_of(check(head + "[200, 99]")),
            "proxy.toml:8:71: clusters[0].health_check.expected_statuses[1]: must be between 100 "
            "and 599, got 99");
  EXPECT_EQ(error_of(check(head + "\"200-\"")),
            "proxy.toml:8:65: clusters[0].health_check.expected_statuses: expected a status like "
            "200 or a range like \"200-399\", got \"200-\"");
  EXPECT_EQ(error_of(check(head + "\"399-200\"")),
            "proxy.toml:8:65: clusters[0].health_check.expected_statuses: a status range runs "
            "from a lower to a higher status between 100 and 599, got \"399-200\"");
  EXPECT_EQ(error_of(check(head + "[200, true]")),
            "proxy.toml:8:71: clusters[0].health_check.expected_statuses[1]: expected a status "
            "like 200 or a range like \"200-399\", got boolean");
}

TEST(HealthCheckConfig, BodyAndBytesMistakes) {
  EXPECT_EQ(error_of(check("kind = \"http\", path = \"/\", expected_body = \"\"")),
            "proxy.toml:8:61: clusters[0].health_check.expected_body: must not be empty (leave "
            "the key out instead)");
  EXPECT_EQ(error_of(check("kind = \"http\", path = \"/\", method = \"HEAD\", expected_body = "
                           "\"ok\"")),
            "proxy.toml:8:78: clusters[0].health_check.expected_body: a HEAD response has no "
            "body: use method = \"GET\" with expected_body");
  EXPECT_EQ(error_of(check("kind = \"tcp\", send = { hex = \"0g\" }")),
            "proxy.toml:8:47: clusters[0].health_check.send.hex: expected pairs of hex digits "
            "like \"0d0a\", got \"0g\"");
  EXPECT_EQ(error_of(check("kind = \"tcp\", send = { hex = \"abc\" }")),
            "proxy.toml:8:47: clusters[0].health_check.send.hex: expected pairs of hex digits "
            "like \"0d0a\", got \"abc\"");
  EXPECT_EQ(
      error_of(check("kind = \"tcp\", send = { text = \"x\" }")),
      "proxy.toml:8:41: clusters[0].health_check.send.text: unknown key (did you mean \"hex\"?)");
  EXPECT_EQ(error_of(check("kind = \"tcp\", expect = \"\"")),
            "proxy.toml:8:41: clusters[0].health_check.expect: must not be empty (leave the key "
            "out instead)");
  EXPECT_EQ(error_of(check("kind = \"tcp\", expect = 7")),
            "proxy.toml:8:41: clusters[0].health_check.expect: expected a string or { hex = "
            "\"...\" }, got integer");
  EXPECT_EQ(error_of(check("kind = \"tcp\", send = \"" + std::string(4097, 'x') + "\"")),
            "proxy.toml:8:39: clusters[0].health_check.send: at most 4096 bytes, got 4097");
}

}  // namespace
}  // namespace ringress::conf
