#include <algorithm>
#include <cctype>

#include "conf/http_sections.h"
#include "conf/http_syntax.h"
#include "conf/sections.h"

namespace ringress::conf {

namespace {

constexpr int64_t kMaxClusterWeight = 10000;
constexpr size_t kMaxBodySize = 64 * 1024;
constexpr int64_t kMaxRetries = 10;
constexpr Duration kMaxBackoff = std::chrono::minutes(1);
constexpr Duration kMaxPerTryTimeout = std::chrono::hours(1);
constexpr Duration kMaxCookieTtl = std::chrono::hours(24 * 400);  // browsers' cap on Max-Age

// Two policies that read the same thing (header names compare without case).
bool same_source(const HashPolicy& a, const HashPolicy& b) {
  if (a.source != b.source || a.name.size() != b.name.size()) return false;
  if (a.source != HashSource::header) return a.name == b.name;
  return std::equal(a.name.begin(), a.name.end(), b.name.begin(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// "header = \"X-User\"", "source_ip", ...: a policy as the config writes it.
std::string describe(const HashPolicy& policy) {
  switch (policy.source) {
    case HashSource::header:
      return "header = " + quoted(policy.name);
    case HashSource::cookie:
      return "cookie = " + quoted(policy.name);
    case HashSource::source_ip:
      return "source_ip";
    case HashSource::query_parameter:
      return "query_parameter = " + quoted(policy.name);
  }
  return "";
}

HashPolicy read_one_hash_policy(const Value& value) {
  Table table = value.table({"header", "cookie", "ttl", "path", "source_ip", "query_parameter"});
  auto key = one_of(table, {"header", "cookie", "source_ip", "query_parameter"}, "hash policy");
  if (!key)
    value.fail(
        "a hash policy says where the key comes from: header, cookie, source_ip or "
        "query_parameter");
  if (*key != "cookie") {
    for (std::string_view cookie_key : table.present({"ttl", "path"}))
      table.fail_key(cookie_key, std::string(cookie_key) +
                                     " is for cookie hash policies; this one has " +
                                     std::string(*key));
  }
  Value v = table.require(*key);
  HashPolicy out;
  if (*key == "header") {
    out.source = HashSource::header;
    out.name = read_header_name(v);
  } else if (*key == "cookie") {
    out.source = HashSource::cookie;
    out.name = v.string();
    if (!is_http_token(out.name))
      v.fail("expected a cookie name (letters, digits and !#$%&'*+-.^_`|~), got " + v.describe());
    if (auto ttl = table.get("ttl")) {
      out.cookie_ttl = ttl->duration(Duration{0}, kMaxCookieTtl);
      if (out.cookie_ttl->count() % 1000 != 0)
        ttl->fail("a cookie's Max-Age is whole seconds, got " + ttl->describe());
    }
    if (auto path = table.get("path")) {
      out.cookie_path = read_path(*path);
      if (out.cookie_path.find_first_of(";,") != std::string::npos)
        path->fail("a cookie path has no \";\" or \",\", got " + path->describe());
    }
  } else if (*key == "source_ip") {
    out.source = HashSource::source_ip;
    if (!v.boolean())
      v.fail("source_ip = false hashes nothing: write source_ip = true, or leave the policy out");
  } else {
    out.source = HashSource::query_parameter;
    out.name = v.string();
    if (out.name.empty() || out.name.find_first_of("&=#") != std::string::npos ||
        !is_header_value(out.name))
      v.fail(
          "expected a query parameter name (no \"&\", \"=\", \"#\" or control characters), got " +
          v.describe());
  }
  return out;
}

}  // namespace

std::vector<HashPolicy> read_hash_policy(const Value& value) {
  std::vector<HashPolicy> out;
  std::vector<Value> items = value.array();
  if (items.empty()) value.fail("list at least one hash policy, or leave hash_policy out");
  for (const Value& item : items) {
    HashPolicy policy = read_one_hash_policy(item);
    for (size_t j = 0; j < out.size(); ++j) {
      if (same_source(out[j], policy))
        item.fail(describe(policy) + " is already listed as " + value.path() + "[" +
                  std::to_string(j) + "]");
    }
    out.push_back(std::move(policy));
  }
  return out;
}

std::vector<WeightedCluster> read_weighted_clusters(const Value& value,
                                                    const std::vector<Cluster>& clusters) {
  std::vector<WeightedCluster> out;
  std::vector<Value> items = value.array();
  if (items.empty()) value.fail("list at least one cluster");
  uint64_t total = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    WeightedCluster weighted;
    std::optional<Value> name;
    if (items[i].node().is_string()) {
      name = items[i];
    } else if (items[i].node().is_table()) {
      Table table = items[i].table({"name", "weight"});
      name = table.require("name");
      if (auto v = table.get("weight"))
        weighted.weight = static_cast<uint32_t>(v->integer(0, kMaxClusterWeight));
    } else {
      items[i].fail("expected a cluster name or { name = \"...\", weight = N }, got " +
                    items[i].type());
    }
    weighted.cluster = find_cluster(*name, clusters);
    for (size_t j = 0; j < out.size(); ++j) {
      if (out[j].cluster == weighted.cluster)
        name->fail(quoted(clusters[weighted.cluster].name) + " is already listed as " +
                   value.path() + "[" + std::to_string(j) + "]");
    }
    total += weighted.weight;
    out.push_back(weighted);
  }
  if (total == 0) value.fail("the weights add up to 0: give at least one cluster a weight");
  return out;
}

DirectResponse read_direct_response(const Value& value) {
  Table table = value.table({"status", "body", "content_type"});
  DirectResponse out;
  if (auto v = table.get("status")) out.status = read_status(*v, 200, 599);
  if (auto v = table.get("body")) {
    out.body = v->string();
    if (out.body.size() > kMaxBodySize)
      v->fail("a direct response body is at most 64KiB, got " + std::to_string(out.body.size()) +
              " bytes");
    if (!out.body.empty() && (out.status == 204 || out.status == 304))
      v->fail("a " + std::to_string(out.status) + " response has no body");
  }
  if (auto v = table.get("content_type")) {
    out.content_type = v->string();
    if (out.content_type.empty() || !is_header_value(out.content_type))
      v->fail("expected a media type like \"text/plain\" or \"application/json\", got " +
              v->describe());
  }
  return out;
}

Redirect read_redirect(const Value& value, PathMatch path_match) {
  Table table = value.table({"scheme", "host", "path", "prefix", "strip_query", "status"});
  Redirect out;
  if (auto v = table.get("scheme")) {
    v->choice({"http", "https"});
    out.scheme = v->string();
  }
  if (auto v = table.get("host")) {
    out.host = v->string();
    if (!is_host_header(out.host))
      v->fail(
          "expected a host name or address with an optional port, like \"example.com\" or "
          "\"example.com:8443\", got " +
          v->describe());
  }
  if (auto key = one_of(table, {"path", "prefix"}, "redirect")) {
    Value v = table.require(*key);
    if (*key == "path") {
      out.path = read_path(v);
    } else {
      if (path_match != PathMatch::prefix && path_match != PathMatch::path_prefix)
        table.fail_key("prefix",
                       "prefix replaces the part of the path that the route's prefix matched, so "
                       "it needs a prefix or path_prefix route; to replace the whole path, use "
                       "path");
      out.prefix = read_path(v);
    }
  }
  if (auto v = table.get("strip_query")) out.strip_query = v->boolean();
  if (auto v = table.get("status")) {
    int64_t status = v->integer(0, 999);
    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308)
      v->fail("expected 301, 302, 303, 307 or 308, got " + v->describe());
    out.status = static_cast<uint16_t>(status);
  }
  // Without any of these the client would be sent to the URL it asked for, again and again.
  if (out.scheme.empty() && out.host.empty() && out.path.empty() && out.prefix.empty())
    value.fail("a redirect changes the URL: give scheme, host, path or prefix");
  return out;
}

RetryPolicy read_retry(const Value& value) {
  Table table = value.table({"on", "attempts", "backoff", "per_try_timeout", "budget"});
  RetryPolicy out;
  if (auto on = table.get("on")) {
    out.connect_failure = false;
    std::vector<Value> items = on->array();
    std::vector<size_t> seen;
    for (size_t i = 0; i < items.size(); ++i) {
      size_t which = items[i].choice({"connect-failure", "reset", "5xx", "gateway-error"});
      for (size_t j = 0; j < seen.size(); ++j) {
        if (seen[j] == which)
          items[i].fail(items[i].describe() + " is already listed as " + on->path() + "[" +
                        std::to_string(j) + "]");
      }
      seen.push_back(which);
      bool* flags[] = {&out.connect_failure, &out.reset, &out.status_5xx, &out.gateway_errors};
      *flags[which] = true;
    }
  }
  if (auto v = table.get("attempts"))
    out.attempts = static_cast<uint32_t>(v->integer(0, kMaxRetries));
  if (auto v = table.get("backoff")) {
    Table backoff = v->table({"base", "max"});
    if (auto base = backoff.get("base"))
      out.backoff_base = base->duration(Duration{0}, kMaxBackoff);
    if (auto max = backoff.get("max")) out.backoff_max = max->duration(Duration{0}, kMaxBackoff);
    if (out.backoff_max < out.backoff_base)
      v->fail("max (" + std::to_string(out.backoff_max.count()) + "ms) is below base (" +
              std::to_string(out.backoff_base.count()) + "ms)");
  }
  if (auto v = table.get("per_try_timeout"))
    out.per_try_timeout = v->duration(Duration{1}, kMaxPerTryTimeout);
  if (auto v = table.get("budget")) {
    Table budget = v->table({"percent", "min_concurrency"});
    if (auto p = budget.get("percent"))
      out.budget_percent = static_cast<uint32_t>(p->integer(0, 100));
    if (auto m = budget.get("min_concurrency"))
      out.budget_min_concurrency = static_cast<uint32_t>(m->integer(0, 1'000'000));
  }
  return out;
}

}  // namespace ringress::conf
