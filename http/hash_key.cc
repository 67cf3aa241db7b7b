#include "http/hash_key.h"

#include <charconv>
#include <cstring>

#include "http/route_matcher.h"
#include "lb/hash.h"

namespace ringress::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "<name>=<value>[; Max-Age=<seconds>][; Path=<path>]; HttpOnly", in the arena; `value` is
// written into it too, and `value_out` views it there.
std::string_view set_cookie_text(const conf::HashPolicy& policy, uint64_t seed, core::Arena& arena,
                                 std::string_view& value_out) {
  static constexpr char kHex[] = "0123456789abcdef";
  char value[16];
  uint64_t v = lb::mix64(seed ^ lb::hash64(policy.name));
  for (int i = 15; i >= 0; --i, v >>= 4) value[i] = kHex[v & 0xf];
  char age[24];
  std::size_t age_len = 0;
  uint64_t seconds = static_cast<uint64_t>(policy.cookie_ttl->count() / 1000);
  if (seconds > 0)
    age_len = static_cast<std::size_t>(std::to_chars(age, age + sizeof age, seconds).ptr - age);

  constexpr std::string_view kMaxAge = "; Max-Age=", kPath = "; Path=", kHttpOnly = "; HttpOnly";
  const std::string_view& path = policy.cookie_path;
  std::size_t size = policy.name.size() + 1 + sizeof value + kHttpOnly.size();
  if (age_len > 0) size += kMaxAge.size() + age_len;
  if (!path.empty()) size += kPath.size() + path.size();
  char* out = arena.allocate(size);
  char* p = out;
  auto put = [&p](std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  put(policy.name);
  put("=");
  value_out = {p, sizeof value};
  put({value, sizeof value});
  if (age_len > 0) {
    put(kMaxAge);
    put({age, age_len});
  }
  if (!path.empty()) {
    put(kPath);
    put(path);
  }
  put(kHttpOnly);
  return {out, size};
}

}  // namespace

std::string_view find_cookie(const HeaderMap& headers, std::string_view name) {
  for (const HeaderField& f : headers) {
    if (!iequals(f.name, "cookie")) continue;
    std::string_view rest = f.value;
    while (!rest.empty()) {
      std::size_t semi = rest.find(';');
      std::string_view pair = trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != name) continue;
      std::string_view value = trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      return value;
    }
  }
  return {};
}

RequestHash request_hash(std::span<const conf::HashPolicy> policies, const RequestHead& request,
                         std::string_view client_ip, uint64_t connection_seed, core::Arena& arena) {
  RequestHash out;
  for (const conf::HashPolicy& policy : policies) {
    switch (policy.source) {
      case conf::HashSource::header:
        if (const std::string_view* value = request.headers.get(policy.name)) {
          out.key = lb::hash64(*value);
          return out;
        }
        break;
      case conf::HashSource::cookie: {
        std::string_view value = find_cookie(request.headers, policy.name);
        if (value.empty() && policy.cookie_ttl)
          out.set_cookie = set_cookie_text(policy, connection_seed, arena, value);
        if (!value.empty()) {
          out.key = lb::hash64(value);
          return out;
        }
        break;
      }
      case conf::HashSource::source_ip:
        if (!client_ip.empty()) {
          out.key = lb::hash64(client_ip);
          return out;
        }
        break;
      case conf::HashSource::query_parameter: {
        routing::QueryValue param = routing::find_query_param(request.query, policy.name);
        if (param.found) {
          out.key = lb::hash64(param.value);
          return out;
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace ringress::http
