#include "conf/http_sections.h"
#include "conf/http_syntax.h"

namespace ringress::conf {

namespace {

constexpr uint64_t kMinRequestHeaders = 1024, kMaxRequestHeaders = 1 << 20;
constexpr int64_t kMaxHeaderCount = 10000;
constexpr uint64_t kMinUriLength = 64, kMaxUriLength = 1 << 20;
constexpr Duration kMaxRequestHeadersTimeout = std::chrono::hours(1);
constexpr Duration kMaxIdleTimeout = std::chrono::hours(24 * 7);
constexpr Duration kMaxLingeringTimeout = std::chrono::minutes(1);

std::vector<std::string> read_trusted_proxies(const Value& value) {
  std::vector<std::string> out;
  for (const Value& item : value.array()) {
    std::string error, meant;
    auto block = parse_cidr(item.string(), error, meant);
    if (!block)
      item.fail(error + ", got " + item.describe() +
                (meant.empty() ? "" : " (did you mean " + quoted(meant) + "?)"));
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == *block)
        item.fail(quoted(*block) + " is already listed as " + value.path() + "[" +
                  std::to_string(i) + "]");
    }
    out.push_back(std::move(*block));
  }
  return out;
}

}  // namespace

const std::vector<std::string_view>& http_listener_keys() {
  static const std::vector<std::string_view> keys = {
      "virtual_hosts",       "filters",
      "access_log",          "headers",
      "local_rate_limit",    "fault",
      "max_request_headers", "max_header_count",
      "max_uri_length",      "request_headers_timeout",
      "trusted_proxies",     "via",
      "generate_request_id", "lingering_timeout",
      "normalize_path",      "merge_slashes",
      "escaped_slashes",
  };
  return keys;
}

HttpSettings read_http(const Table& listener, const std::vector<Cluster>& clusters) {
  HttpSettings http;
  if (auto v = listener.get("max_request_headers"))
    http.max_request_headers =
        static_cast<uint32_t>(v->size(kMinRequestHeaders, kMaxRequestHeaders));
  if (auto v = listener.get("max_header_count"))
    http.max_header_count = static_cast<uint32_t>(v->integer(1, kMaxHeaderCount));
  if (auto v = listener.get("max_uri_length"))
    http.max_uri_length = static_cast<uint32_t>(v->size(kMinUriLength, kMaxUriLength));
  if (auto v = listener.get("request_headers_timeout"))
    http.request_headers_timeout = v->duration(Duration{1}, kMaxRequestHeadersTimeout);
  if (auto v = listener.get("idle_timeout"))
    http.idle_timeout = v->duration(Duration{1}, kMaxIdleTimeout);
  if (auto v = listener.get("lingering_timeout"))
    http.lingering_timeout = v->duration(Duration{0}, kMaxLingeringTimeout);
  if (auto v = listener.get("trusted_proxies")) http.trusted_proxies = read_trusted_proxies(*v);
  if (auto v = listener.get("via")) {
    http.via = v->string();
    if (!http.via.empty() && !is_http_token(http.via))
      v->fail("expected a name like \"ringress\" (letters, digits and !#$%&'*+-.^_`|~), got " +
              v->describe());
  }
  if (auto v = listener.get("generate_request_id")) http.generate_request_id = v->boolean();
  if (auto v = listener.get("normalize_path")) http.normalize_path = v->boolean();
  if (auto v = listener.get("merge_slashes")) http.merge_slashes = v->boolean();
  if (auto v = listener.get("escaped_slashes"))
    http.escaped_slashes = static_cast<EscapedSlashes>(v->choice({"keep", "reject", "unescape"}));
  http.filters = read_filters(listener);
  http.virtual_hosts = read_virtual_hosts(listener.require("virtual_hosts"), clusters);
  return http;
}

}  // namespace ringress::conf
