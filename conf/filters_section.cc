#include <algorithm>

#include "conf/format_string.h"
#include "conf/http_sections.h"

namespace ringress::conf {

namespace {

constexpr int64_t kMaxRequestsPerSecond = 1'000'000;
constexpr int64_t kMaxBurst = 10'000'000;
constexpr Duration kMaxFaultDelay = std::chrono::hours(1);

// As written in `filters`, in FilterKind order.
const std::vector<std::string_view> kFilterNames = {"headers", "local_rate_limit", "fault",
                                                    "access_log", "router"};
constexpr FilterKind kKinds[] = {FilterKind::headers, FilterKind::local_rate_limit,
                                 FilterKind::fault, FilterKind::access_log, FilterKind::router};

std::string_view name_of(FilterKind kind) { return kFilterNames[static_cast<size_t>(kind)]; }

// `filters = ["a", "b"]` as it would be written.
std::string filters_line(const std::vector<FilterKind>& kinds) {
  std::string out = "filters = [";
  for (size_t i = 0; i < kinds.size(); ++i) out += (i == 0 ? "" : ", ") + quoted(name_of(kinds[i]));
  return out + "]";
}

HeadersFilter read_headers(const Value& value) {
  Table table = value.table({"request_set", "request_add", "request_remove", "response_set",
                             "response_add", "response_remove"});
  HeadersFilter out;
  out.request = read_header_mutations(table, "request_set", "request_add", "request_remove", true);
  out.response =
      read_header_mutations(table, "response_set", "response_add", "response_remove", false);
  return out;
}

LocalRateLimit read_rate_limit(const Value& value) {
  Table table = value.table({"requests_per_second", "burst", "status"});
  LocalRateLimit out;
  if (auto v = table.get("requests_per_second"))
    out.requests_per_second = static_cast<uint32_t>(v->integer(1, kMaxRequestsPerSecond));
  out.burst = out.requests_per_second;  // a second's worth, unless given
  if (auto v = table.get("burst")) out.burst = static_cast<uint32_t>(v->integer(1, kMaxBurst));
  if (auto v = table.get("status")) out.status = read_status(*v, 400, 599);
  return out;
}

FaultFilter read_fault(const Value& value) {
  Table table = value.table({"abort_percent", "abort_status", "delay_percent", "delay"});
  FaultFilter out;
  if (auto v = table.get("abort_percent"))
    out.abort_percent = static_cast<uint32_t>(v->integer(0, 100));
  if (auto v = table.get("abort_status")) out.abort_status = read_status(*v, 400, 599);
  if (auto v = table.get("delay")) out.delay = v->duration(Duration{0}, kMaxFaultDelay);
  if (auto v = table.get("delay_percent")) {
    out.delay_percent = static_cast<uint32_t>(v->integer(0, 100));
    if (out.delay_percent > 0 && out.delay == Duration{0})
      v->fail("delay_percent needs a delay too, like delay = \"100ms\"");
  }
  return out;
}

}  // namespace

Table access_log_table(const Value& value, AccessLog& out) {
  Table table = value.table({"path", "format", "json"});
  if (auto v = table.get("path")) {
    out.path = v->string();
    if (out.path.empty()) v->fail("expected a file name, or \"-\" for standard output");
  }
  if (auto v = table.get("json")) out.json = v->boolean();
  return table;
}

namespace {

FormatString default_access_log_format() {
  std::string error;
  return *parse_format(kDefaultAccessLogFormat, error);
}

AccessLog read_access_log(const Value& value) {
  AccessLog out;
  Table table = access_log_table(value, out);
  // With json = true, the format's variables become the members of each line's JSON object.
  auto format = table.get("format");
  out.format = format ? read_format(*format, false) : default_access_log_format();
  return out;
}

}  // namespace

const std::vector<std::string_view>& filter_settings_keys() {
  static const std::vector<std::string_view> keys = {"headers", "local_rate_limit", "fault",
                                                     "access_log"};
  return keys;
}

std::vector<FilterConfig> read_filters(const Table& listener) {
  std::vector<FilterKind> kinds;
  if (auto list = listener.get("filters")) {
    std::vector<Value> items = list->array();
    for (size_t i = 0; i < items.size(); ++i) {
      FilterKind kind = kKinds[items[i].choice(kFilterNames)];
      for (size_t j = 0; j < kinds.size(); ++j) {
        if (kinds[j] == kind)
          items[i].fail(quoted(name_of(kind)) + " is already listed as " + list->path() + "[" +
                        std::to_string(j) + "]");
      }
      if (kind == FilterKind::router && i + 1 != items.size())
        items[i].fail(
            "\"router\" must be the last filter: it forwards the request, so no filter after it "
            "would run");
      kinds.push_back(kind);
    }
    if (kinds.empty() || kinds.back() != FilterKind::router) {
      kinds.push_back(FilterKind::router);
      list->fail("must end with \"router\", the filter that forwards requests to clusters: " +
                 filters_line(kinds));
    }
  } else {
    kinds.push_back(FilterKind::router);
  }
  // A settings table for a filter that does not run is a mistake: say how to make it run.
  for (std::string_view key : listener.present(filter_settings_keys())) {
    FilterKind kind =
        kKinds[std::find(kFilterNames.begin(), kFilterNames.end(), key) - kFilterNames.begin()];
    if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) continue;
    kinds.insert(kinds.end() - 1, kind);
    listener.fail_key(key, "the " + std::string(key) +
                               " filter is not in filters, so these settings would do nothing; "
                               "add it: " +
                               filters_line(kinds));
  }
  std::vector<FilterConfig> filters;
  for (FilterKind kind : kinds) {
    FilterConfig filter;
    filter.kind = kind;
    auto settings = listener.get(name_of(kind));
    switch (kind) {
      case FilterKind::headers:
        if (settings) filter.headers = read_headers(*settings);
        break;
      case FilterKind::local_rate_limit:
        if (settings) filter.rate_limit = read_rate_limit(*settings);
        break;
      case FilterKind::fault:
        if (settings) filter.fault = read_fault(*settings);
        break;
      case FilterKind::access_log:
        if (settings) {
          filter.access_log = read_access_log(*settings);
        } else {
          filter.access_log.format = default_access_log_format();
        }
        break;
      case FilterKind::router:
        break;
    }
    filters.push_back(std::move(filter));
  }
  return filters;
}

}  // namespace ringress::conf
