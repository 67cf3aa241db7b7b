#include "conf/outlier_section.h"

#include <charconv>
#include <string>

namespace ringress::conf {

namespace {

constexpr int64_t kMaxConsecutive = 1'000'000;
constexpr Duration kMaxInterval = std::chrono::hours(1);
constexpr Duration kMaxEjectionTime = std::chrono::hours(24);
constexpr int64_t kMaxMinimumHosts = 1'000'000;
constexpr int64_t kMaxRequestVolume = 1'000'000'000;
constexpr double kMaxStdevFactor = 100;

std::string number_text(double x) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), x);
  return error == std::errc() ? std::string(buffer, end) : "a number";
}

// An integer or a float, from `min` to `max`.
double read_number(const Value& value, double min, double max) {
  double x = 0;
  if (auto i = value.node().as_integer()) {
    x = static_cast<double>(i->get());
  } else if (auto f = value.node().as_floating_point()) {
    x = f->get();
  } else {
    value.fail("expected a number, got " + value.type());
  }
  if (!(x >= min && x <= max))  // also catches nan
    value.fail("must be between " + number_text(min) + " and " + number_text(max) + ", got " +
               number_text(x));
  return x;
}

// `true`, `false` or a table: whether the settings are on, and the table when there is one.
std::optional<Table> switch_or_table(const Value& value, const std::vector<std::string_view>& keys,
                                     bool& on) {
  if (value.node().is_boolean()) {
    on = value.boolean();
    return std::nullopt;
  }
  if (!value.node().is_table()) value.fail("expected true, false or a table, got " + value.type());
  on = true;
  return value.table(keys);
}

std::optional<SuccessRateSettings> read_success_rate(const Value& value) {
  bool on = false;
  std::optional<Table> table =
      switch_or_table(value, {"minimum_hosts", "request_volume", "stdev_factor"}, on);
  if (!on) return std::nullopt;
  SuccessRateSettings s;
  if (!table) return s;
  if (auto v = table->get("minimum_hosts"))
    s.minimum_hosts = static_cast<uint32_t>(v->integer(1, kMaxMinimumHosts));
  if (auto v = table->get("request_volume"))
    s.request_volume = static_cast<uint32_t>(v->integer(1, kMaxRequestVolume));
  if (auto v = table->get("stdev_factor")) s.stdev_factor = read_number(*v, 0, kMaxStdevFactor);
  return s;
}

}  // namespace

std::optional<OutlierDetection> read_outlier_detection(const Value& value) {
  bool on = false;
  std::optional<Table> table = switch_or_table(
      value,
      {"consecutive_5xx", "consecutive_gateway_failure", "interval", "base_ejection_time",
       "max_ejection_time", "max_ejection_percent", "success_rate"},
      on);
  if (!on) return std::nullopt;
  OutlierDetection s;
  if (!table) return s;
  if (auto v = table->get("consecutive_5xx"))
    s.consecutive_5xx = static_cast<uint32_t>(v->integer(0, kMaxConsecutive));
  if (auto v = table->get("consecutive_gateway_failure"))
    s.consecutive_gateway_failure = static_cast<uint32_t>(v->integer(0, kMaxConsecutive));
  if (auto v = table->get("interval")) s.interval = v->duration(Duration{1}, kMaxInterval);
  if (auto v = table->get("base_ejection_time"))
    s.base_ejection_time = v->duration(Duration{1}, kMaxEjectionTime);
  if (auto v = table->get("max_ejection_time"))
    s.max_ejection_time = v->duration(Duration{1}, kMaxEjectionTime);
  if (s.max_ejection_time < s.base_ejection_time) {
    std::string_view at =
        table->has("max_ejection_time") ? "max_ejection_time" : "base_ejection_time";
    table->get(at)->fail("max_ejection_time (" + format_duration(s.max_ejection_time) +
                         ") is below base_ejection_time (" + format_duration(s.base_ejection_time) +
                         ")");
  }
  if (auto v = table->get("max_ejection_percent"))
    s.max_ejection_percent = static_cast<uint32_t>(v->integer(0, 100));
  if (auto v = table->get("success_rate")) s.success_rate = read_success_rate(*v);
  return s;
}

}  // namespace ringress::conf
