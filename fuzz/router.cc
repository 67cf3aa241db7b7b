// router target: a RouteTable built from virtual hosts and routes the input describes (domains of
// every form, each path match kind, methods, header and query matchers, prefix and regex
// rewrites, redirects), then requests the input describes matched against it. Each answer is
// compared with a plain model of docs/routing.md: the virtual host (exact, longest *.suffix,
// longest prefix.*, then *), the first route whose every condition holds, the rewritten target
// (prefix_rewrite; regex_rewrite as RE2::GlobalReplace) and the shape of a redirect's Location.
// A table that refuses to build must have a bad regex or substitution, and only then.
#include <re2/re2.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/arena.h"
#include "fuzz/byte_reader.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_targets.h"
#include "http/header_map.h"
#include "http/route_table.h"

namespace ringress::fuzz {
namespace {

constexpr std::string_view kLabels[] = {"a", "b", "ab", "api", "www", "example", "com", "x-y", "0"};
constexpr std::string_view kMethods[] = {"GET", "POST", "HEAD", "PUT"};
constexpr std::string_view kHeaderNames[] = {"x-a", "X-B", "x-c"};
constexpr std::string_view kQueryNames[] = {"a", "b", "q"};
constexpr std::string_view kPatterns[] = {"/a.*", "/[0-9]+",      "(/a)(.*)", "a",       "",
                                          "/?",   "^/b/([^/]+)$", "x*",       "(a|b)+/", "[",
                                          "(",    "\\d",          ".",        "/.*/(.*)"};
constexpr std::string_view kSubstitutions[] = {"",     "/v2", "\\1", "\\2/\\1", "\\0\\0",
                                               "\\\\", "\\",  "\\x", "/z\\9"};

// A string of up to `max` characters of `alphabet`, chosen by the input.
std::string text(ByteReader& in, std::string_view alphabet, std::size_t max) {
  std::string s;
  std::size_t n = in.below(max + 1);
  for (std::size_t i = 0; i < n; ++i) s.push_back(alphabet[in.below(alphabet.size())]);
  return s;
}

std::string host_name(ByteReader& in) {
  std::string s;
  std::size_t labels = 1 + in.below(3);
  for (std::size_t i = 0; i < labels; ++i) {
    if (i) s.push_back('.');
    if (in.below(4) == 0)
      s += text(in, "abz019-", 4);
    else
      s += kLabels[in.below(std::size(kLabels))];
  }
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

std::string domain(ByteReader& in) {
  switch (in.below(5)) {
    case 0:
      return "*." + host_name(in);
    case 1:
      return host_name(in) + ".*";
    case 2:
      return "*";
    case 3:
      return "[::1]";
    default:
      return host_name(in);
  }
}

std::string pattern(ByteReader& in) {
  if (in.flag()) return std::string(kPatterns[in.below(std::size(kPatterns))]);
  return text(in, "/ab.*+?()[]|^$\\d0-", 10);
}

conf::MatchKind match_kind(ByteReader& in) {
  constexpr conf::MatchKind kKinds[] = {conf::MatchKind::exact, conf::MatchKind::prefix,
                                        conf::MatchKind::present, conf::MatchKind::regex};
  return kKinds[in.below(4)];
}

std::string match_value(ByteReader& in, conf::MatchKind kind) {
  return kind == conf::MatchKind::regex ? pattern(in) : text(in, "ab1=%", 3);
}

conf::Route route(ByteReader& in, std::string name) {
  conf::Route r;
  r.name = std::move(name);
  constexpr conf::PathMatch kKinds[] = {conf::PathMatch::prefix, conf::PathMatch::exact,
                                        conf::PathMatch::path_prefix, conf::PathMatch::regex};
  r.path_match = kKinds[in.below(4)];
  if (r.path_match == conf::PathMatch::regex) {
    r.path = pattern(in);
  } else {
    r.path = "/" + text(in, "ab/", 4);
    // path_prefix values never end in '/' (the loader refuses it), "/" itself aside.
    if (r.path_match == conf::PathMatch::path_prefix)
      while (r.path.size() > 1 && r.path.back() == '/') r.path.pop_back();
  }
  const uint8_t methods = in.u8();
  for (std::size_t i = 0; i < std::size(kMethods); ++i)
    if (methods & (1u << i)) r.methods.emplace_back(kMethods[i]);
  for (std::size_t n = in.below(3); n > 0; --n) {
    conf::HeaderMatcher h;
    h.name = kHeaderNames[in.below(std::size(kHeaderNames))];
    h.kind = match_kind(in);
    h.value = match_value(in, h.kind);
    h.invert = in.flag();
    r.headers.push_back(std::move(h));
  }
  for (std::size_t n = in.below(3); n > 0; --n) {
    conf::QueryMatcher q;
    q.name = kQueryNames[in.below(std::size(kQueryNames))];
    q.kind = match_kind(in);
    q.value = match_value(in, q.kind);
    r.query.push_back(std::move(q));
  }
  const bool prefix_kind =
      r.path_match == conf::PathMatch::prefix || r.path_match == conf::PathMatch::path_prefix;
  switch (in.below(4)) {
    case 0:
      if (prefix_kind) r.prefix_rewrite = "/" + text(in, "vb2/", 4);
      break;
    case 1:
      r.regex_rewrite = conf::RegexRewrite{
          pattern(in), std::string(kSubstitutions[in.below(std::size(kSubstitutions))])};
      break;
    case 2: {
      conf::Redirect d;
      if (in.flag()) d.scheme = in.flag() ? "https" : "http";
      if (in.flag()) d.host = host_name(in) + (in.flag() ? ":8443" : "");
      if (in.flag()) d.path = "/" + text(in, "np/", 3);
      if (prefix_kind && in.flag()) d.prefix = "/" + text(in, "np/", 3);
      d.strip_query = in.flag();
      r.redirect = d;
      break;
    }
    default:
      break;
  }
  return r;
}

RE2::Options quiet() {
  RE2::Options o;
  o.set_log_errors(false);
  return o;
}

bool full_match(std::string_view re, std::string_view text) {
  RE2 r(std::string(re), quiet());
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), r);
}

// Whether every regex and substitution of the hosts compiles.
bool all_valid(const std::vector<conf::VirtualHost>& vhosts) {
  auto ok = [](const std::string& p) { return RE2(p, quiet()).ok(); };
  for (const auto& vh : vhosts) {
    for (const auto& r : vh.routes) {
      if (r.path_match == conf::PathMatch::regex && !ok(r.path)) return false;
      for (const auto& h : r.headers)
        if (h.kind == conf::MatchKind::regex && !ok(h.value)) return false;
      for (const auto& q : r.query)
        if (q.kind == conf::MatchKind::regex && !ok(q.value)) return false;
      if (r.regex_rewrite) {
        RE2 re(r.regex_rewrite->pattern, quiet());
        std::string error;
        if (!re.ok() || !re.CheckRewriteString(r.regex_rewrite->substitution, &error)) return false;
      }
    }
  }
  return true;
}

// --- The model of docs/routing.md ---

std::string_view host_without_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.find(':'));
}

// A trailing dot names the root: "a.example." is "a.example" (one dot only, never a bare ".").
std::string without_dot(std::string s) {
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

std::size_t model_vhost(const std::vector<conf::VirtualHost>& vhosts, std::string_view host) {
  const std::string h = without_dot(lower(host_without_port(host)));
  constexpr std::size_t kNone = SIZE_MAX;
  std::size_t exact = kNone, suffix = kNone, prefix = kNone, any = kNone;
  std::size_t suffix_len = 0, prefix_len = 0;
  for (std::size_t i = 0; i < vhosts.size(); ++i) {
    for (const std::string& configured : vhosts[i].domains) {
      const std::string d = without_dot(configured);
      if (d == "*") {
        if (any == kNone) any = i;
      } else if (d.starts_with("*.")) {
        std::string_view s = std::string_view(d).substr(1);  // ".example.com"
        if (h.size() > s.size() && h.ends_with(s) && (suffix == kNone || s.size() > suffix_len))
          suffix = i, suffix_len = s.size();
      } else if (d.ends_with(".*")) {
        std::string_view p = std::string_view(d).substr(0, d.size() - 1);  // "api."
        if (h.size() > p.size() && h.starts_with(p) && (prefix == kNone || p.size() > prefix_len))
          prefix = i, prefix_len = p.size();
      } else if (d == h && exact == kNone) {
        exact = i;
      }
    }
  }
  if (exact != kNone) return exact;
  if (suffix != kNone) return suffix;
  if (prefix != kNone) return prefix;
  return any;
}

bool value_matches(conf::MatchKind kind, std::string_view want, std::string_view value) {
  switch (kind) {
    case conf::MatchKind::exact:
      return value == want;
    case conf::MatchKind::prefix:
      return value.starts_with(want);
    case conf::MatchKind::present:
      return true;
    case conf::MatchKind::regex:
      return full_match(want, value);
  }
  return false;
}

// The first parameter `name` of the query, split at '&' and at the first '='.
bool query_param(std::string_view query, std::string_view name, std::string_view& value) {
  while (true) {
    std::size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    if (!part.empty()) {
      std::size_t eq = part.find('=');
      if (part.substr(0, eq) == name) {
        value = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
        return true;
      }
    }
    if (amp == std::string_view::npos) return false;
    query.remove_prefix(amp + 1);
  }
}

bool model_route_matches(const conf::Route& r, const http::RouteRequest& req) {
  const std::string_view path = req.path;
  switch (r.path_match) {
    case conf::PathMatch::prefix:
      if (!path.starts_with(r.path)) return false;
      break;
    case conf::PathMatch::exact:
      if (path != r.path) return false;
      break;
    case conf::PathMatch::path_prefix:
      if (r.path == "/") {
        if (!path.starts_with('/')) return false;
      } else if (!path.starts_with(r.path) ||
                 (path.size() > r.path.size() && path[r.path.size()] != '/')) {
        return false;
      }
      break;
    case conf::PathMatch::regex:
      if (!full_match(r.path, path)) return false;
      break;
  }
  if (!r.methods.empty()) {
    bool found = false;
    for (const auto& m : r.methods) found |= m == req.method;
    if (!found) return false;
  }
  for (const auto& h : r.headers) {
    const std::string_view* v = req.headers ? req.headers->get(h.name) : nullptr;
    bool holds = v && value_matches(h.kind, h.value, *v);
    if (holds == h.invert) return false;
  }
  for (const auto& q : r.query) {
    std::string_view v;
    if (!query_param(req.query, q.name, v) || !value_matches(q.kind, q.value, v)) return false;
  }
  return true;
}

std::string strip_trailing_slashes(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string(s);
}

// The target sent upstream for a request that matched `r` (docs/routing.md, "Rewriting").
std::string model_target(const conf::Route& r, std::string_view path, std::string_view query,
                         std::string_view original) {
  std::string new_path;
  if (!r.prefix_rewrite.empty()) {
    if (r.path_match == conf::PathMatch::prefix) {
      new_path = r.prefix_rewrite + std::string(path.substr(r.path.size()));
    } else {
      std::string_view rest = path.substr(strip_trailing_slashes(r.path).size());
      new_path = strip_trailing_slashes(r.prefix_rewrite) + std::string(rest);
    }
  } else if (r.regex_rewrite) {
    RE2 re(r.regex_rewrite->pattern, quiet());
    new_path = std::string(path);
    if (RE2::GlobalReplace(&new_path, re, r.regex_rewrite->substitution) == 0)
      return std::string(original);
  } else {
    return std::string(original);
  }
  if (new_path.empty()) new_path = "/";
  if (!query.empty()) new_path += "?" + std::string(query);
  return new_path;
}

std::string route_name(const conf::Route* r) { return r ? r->name : "(none)"; }

}  // namespace

void router(const uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  std::vector<conf::VirtualHost> vhosts(1 + in.below(4));
  for (std::size_t v = 0; v < vhosts.size(); ++v) {
    vhosts[v].name = "v" + std::to_string(v);
    for (std::size_t n = 1 + in.below(3); n > 0; --n) vhosts[v].domains.push_back(domain(in));
    for (std::size_t n = 1 + in.below(4); n > 0; --n)
      vhosts[v].routes.push_back(
          route(in, vhosts[v].name + "/" + std::to_string(vhosts[v].routes.size())));
  }
  const bool valid = all_valid(vhosts);
  std::unique_ptr<http::RouteTable> table;
  try {
    table = std::make_unique<http::RouteTable>(vhosts);
  } catch (const std::invalid_argument& e) {
    FUZZ_CHECK(!valid, std::string("a valid table was refused: ") + e.what());
    return;
  }
  FUZZ_CHECK(valid, "a table with a bad regex or substitution was built");

  core::Arena arena;
  while (!in.empty()) {
    std::string host;
    switch (in.below(4)) {
      case 0:
        break;  // HTTP/1.0 without Host
      case 1:
        host = "[::1]";
        break;
      default:
        host = host_name(in);
        break;
    }
    if (in.flag()) {
      for (char& c : host)
        if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
    }
    if (!host.empty() && in.flag()) host += ":8080";
    const std::string_view method = kMethods[in.below(std::size(kMethods))];
    const std::string path = "/" + text(in, "ab/1.-", 8);
    const bool has_query = in.flag();
    const std::string query = has_query ? text(in, "ab1q=&%", 8) : std::string();
    const std::string original = has_query ? path + "?" + query : path;
    http::HeaderMap headers;
    std::vector<std::string> storage;
    storage.reserve(8);
    for (std::size_t n = in.below(4); n > 0; --n) {
      storage.emplace_back(text(in, "ab1=%", 3));
      headers.add(kHeaderNames[in.below(std::size(kHeaderNames))], storage.back());
    }
    const http::RouteRequest req{host, method, path, query, &headers};

    const conf::VirtualHost* got_vhost = nullptr;
    const conf::Route* got = table->match(req, &got_vhost);
    const std::size_t want_vhost = model_vhost(vhosts, host);
    const conf::Route* want = nullptr;
    if (want_vhost != SIZE_MAX) {
      for (const conf::Route& r : vhosts[want_vhost].routes) {
        if (model_route_matches(r, req)) {
          want = &r;
          break;
        }
      }
    }
    const std::string request_text =
        "host \"" + host + "\" " + std::string(method) + " " + original;
    FUZZ_CHECK(got_vhost == (want_vhost == SIZE_MAX ? nullptr : &vhosts[want_vhost]),
               request_text + ": virtual host " + (got_vhost ? got_vhost->name : "(none)") +
                   ", the model says " +
                   (want_vhost == SIZE_MAX ? "(none)" : vhosts[want_vhost].name));
    FUZZ_CHECK(got == want, request_text + ": route " + route_name(got) + ", the model says " +
                                route_name(want));
    if (!got) continue;

    arena.reset();
    const std::string_view target = table->rewrite_target(*got, path, query, original, arena);
    const std::string want_target = model_target(*got, path, query, original);
    FUZZ_CHECK(target == want_target, request_text + ": route " + got->name + " rewrites to \"" +
                                          std::string(target) + "\", the model says \"" +
                                          want_target + "\"");
    const std::string_view location =
        table->redirect_location(*got, "http", host, path, query, arena);
    FUZZ_CHECK(got->redirect.has_value() == !location.empty(),
               request_text + ": redirect Location \"" + std::string(location) + "\"");
    if (got->redirect) {
      const bool shaped = location.starts_with("http://") || location.starts_with("https://") ||
                          location.starts_with('/');
      FUZZ_CHECK(shaped, request_text + ": Location \"" + std::string(location) + "\"");
      FUZZ_CHECK(!got->redirect->strip_query || location.find('?') == std::string_view::npos,
                 request_text + ": strip_query kept a query in \"" + std::string(location) + "\"");
    }
  }
}

}  // namespace ringress::fuzz
