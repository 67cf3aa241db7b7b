// A cluster's health_check table: the common keys, then those of its kind ("http" or "tcp"); a
// key of the other kind is an error at that key, so a tcp check cannot silently ignore a path.
#include <algorithm>
#include <charconv>

#include "conf/health_check.h"
#include "conf/http_syntax.h"
#include "conf/reader.h"
#include "core/hex_digit.h"

namespace ringress::conf {

namespace {

constexpr Duration kMinInterval{10};
constexpr Duration kMaxInterval = std::chrono::hours(1);
constexpr Duration kMaxTimeout = std::chrono::minutes(10);
constexpr int64_t kMaxThreshold = 1000;
constexpr size_t kMaxSendBytes = 4096;

const std::vector<std::string_view> kKinds = {"http", "tcp"};
const std::vector<std::string_view> kHttpKeys = {"path", "method", "host", "expected_statuses",
                                                 "expected_body"};
const std::vector<std::string_view> kTcpKeys = {"send", "expect"};

// Keys of the other kind than `kind` fail at the first one written.
void check_kind_keys(const Table& table, HealthCheck::Kind kind) {
  const auto& foreign = kind == HealthCheck::Kind::http ? kTcpKeys : kHttpKeys;
  std::vector<std::string_view> present = table.present(foreign);
  if (present.empty()) return;
  std::string_view key = present.front();
  bool http = kind == HealthCheck::Kind::http;
  table.fail_key(key, std::string(key) + " is a key of kind = " + quoted(http ? "tcp" : "http") +
                          " health checks; this one's kind is " + quoted(http ? "http" : "tcp"));
}

// A percentage: an integer 0..100 or a string "10%".
uint32_t read_percent(const Value& value) {
  if (value.node().is_integer()) return static_cast<uint32_t>(value.integer(0, 100));
  if (!value.node().is_string())
    value.fail("expected a percentage like 10 or \"10%\", got " + value.type());
  std::string text = value.string();
  unsigned n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  bool ok = ec == std::errc{} && end != text.data() && std::string_view(end) == "%";
  if (!ok) value.fail("expected a percentage like 10 or \"10%\", got " + value.describe());
  if (n > 100) value.fail("must be between 0% and 100%, got " + value.describe());
  return n;
}

std::string read_check_path(const Value& value) {
  std::string path = value.string();
  if (!path.starts_with('/')) value.fail("a path starts with \"/\", got " + value.describe());
  bool clean = std::none_of(path.begin(), path.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#';
  });
  if (!clean)
    value.fail("a request path has no spaces, control characters or \"#\", got " +
               value.describe());
  return path;
}

// 200, or "200-399".
StatusRange read_status_range(const Value& value) {
  constexpr int64_t kMin = 100, kMax = 599;
  if (value.node().is_integer()) {
    auto s = static_cast<uint16_t>(value.integer(kMin, kMax));
    return {s, s};
  }
  if (!value.node().is_string())
    value.fail("expected a status like 200 or a range like \"200-399\", got " + value.type());
  std::string text = value.string();
  unsigned first = 0, last = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  auto a = std::from_chars(p, end, first);
  bool ok = a.ec == std::errc{} && a.ptr != p && a.ptr < end && *a.ptr == '-';
  if (ok) {
    auto b = std::from_chars(a.ptr + 1, end, last);
    ok = b.ec == std::errc{} && b.ptr != a.ptr + 1 && b.ptr == end;
  }
  if (!ok)
    value.fail("expected a status like 200 or a range like \"200-399\", got " + value.describe());
  if (first < kMin || last > kMax || first > last)
    value.fail("a status range runs from a lower to a higher status between 100 and 599, got " +
               value.describe());
  return {static_cast<uint16_t>(first), static_cast<uint16_t>(last)};
}

// A status, a range, or an array of them (at least one).
std::vector<StatusRange> read_statuses(const Value& value) {
  if (!value.node().is_array()) return {read_status_range(value)};
  std::vector<StatusRange> out;
  for (const Value& item : value.array()) out.push_back(read_status_range(item));
  if (out.empty()) value.fail("must list at least one status");
  return out;
}

int hex_digit(char c) { return core::hex_digit(static_cast<unsigned char>(c)); }

// Bytes as text ("PING\r\n", TOML escapes apply) or { hex = "50494e470d0a" }; not empty.
std::string read_bytes(const Value& value) {
  std::string out;
  if (value.node().is_string()) {
    out = value.string();
  } else if (value.node().is_table()) {
    Table table = value.table({"hex"});
    Value hex = table.require("hex");
    std::string digits = hex.string();
    if (digits.size() % 2 != 0 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return hex_digit(c) >= 0; }))
      hex.fail("expected pairs of hex digits like \"0d0a\", got " + hex.describe());
    for (size_t i = 0; i < digits.size(); i += 2)
      out += static_cast<char>(hex_digit(digits[i]) * 16 + hex_digit(digits[i + 1]));
  } else {
    value.fail("expected a string or { hex = \"...\" }, got " + value.type());
  }
  if (out.empty()) value.fail("must not be empty (leave the key out instead)");
  if (out.size() > kMaxSendBytes)
    value.fail("at most " + std::to_string(kMaxSendBytes) + " bytes, got " +
               std::to_string(out.size()));
  return out;
}

void read_http_keys(const Table& table, HealthCheck& check) {
  check.path = read_check_path(table.require("path"));
  if (auto v = table.get("method")) check.method = v->choice({"GET", "HEAD"}) == 0 ? "GET" : "HEAD";
  if (auto v = table.get("host")) {
    check.host = v->string();
    if (!is_host_header(check.host))
      v->fail(
          "expected a host name with an optional port, like \"api.internal\" or "
          "\"api.internal:8080\", got " +
          v->describe());
  }
  if (auto v = table.get("expected_statuses")) check.expected_statuses = read_statuses(*v);
  if (auto v = table.get("expected_body")) {
    check.expected_body = v->string();
    if (check.expected_body.empty()) v->fail("must not be empty (leave the key out instead)");
    if (check.expected_body.size() > kHealthCheckBodyLimit)
      v->fail("at most 64KiB (what a check reads of the body), got " +
              std::to_string(check.expected_body.size()) + " bytes");
    if (check.method == "HEAD")
      v->fail("a HEAD response has no body: use method = \"GET\" with expected_body");
  }
}

}  // namespace

HealthCheck read_health_check(const Value& value) {
  std::vector<std::string_view> keys = {"kind",
                                        "interval",
                                        "timeout",
                                        "interval_jitter",
                                        "unhealthy_interval",
                                        "healthy_threshold",
                                        "unhealthy_threshold"};
  keys.insert(keys.end(), kHttpKeys.begin(), kHttpKeys.end());
  keys.insert(keys.end(), kTcpKeys.begin(), kTcpKeys.end());
  Table table = value.table(keys);
  HealthCheck check;
  check.kind = static_cast<HealthCheck::Kind>(table.require("kind").choice(kKinds));
  check_kind_keys(table, check.kind);
  if (auto v = table.get("interval")) check.interval = v->duration(kMinInterval, kMaxInterval);
  check.unhealthy_interval = check.interval;
  if (auto v = table.get("unhealthy_interval"))
    check.unhealthy_interval = v->duration(kMinInterval, kMaxInterval);
  if (auto v = table.get("timeout")) check.timeout = v->duration(Duration{1}, kMaxTimeout);
  if (auto v = table.get("interval_jitter")) check.interval_jitter_percent = read_percent(*v);
  if (auto v = table.get("healthy_threshold"))
    check.healthy_threshold = static_cast<uint32_t>(v->integer(1, kMaxThreshold));
  if (auto v = table.get("unhealthy_threshold"))
    check.unhealthy_threshold = static_cast<uint32_t>(v->integer(1, kMaxThreshold));
  if (check.kind == HealthCheck::Kind::http) {
    read_http_keys(table, check);
  } else {
    if (auto v = table.get("send")) check.send = read_bytes(*v);
    if (auto v = table.get("expect")) check.expect = read_bytes(*v);
  }
  return check;
}

}  // namespace ringress::conf
