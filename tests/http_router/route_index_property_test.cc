// Property tests: for random tables and random requests, RouteTable (with its route index and
// domain tables) picks exactly what the linear reference (linear_router.h) picks. The tables
// mix every path match kind over a small alphabet so that prefixes overlap and nest, regexes
// with and without literal prefixes (enough of them on one prefix to make a RegexGroup), methods,
// header matchers with invert and query matchers; the requests are built mostly from the
// table's own strings so that they hit, nearly hit and miss. Deterministic: a fixed seed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "http/header_map.h"
#include "http/route_table.h"
#include "tests/http_router/linear_router.h"
#include "tests/http_router/route_builders.h"

namespace ringress::http {
namespace {

using namespace router_test;

class Random {
 public:
  explicit Random(uint32_t seed) : engine_(seed) {}
  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(engine_);
  }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
  template <class T>
  const T& pick(const std::vector<T>& from) {
    return from[below(from.size())];
  }

 private:
  std::mt19937 engine_;
};

uint32_t seed() {
  const char* s = std::getenv("RINGRESS_PROPERTY_SEED");  // to explore other cases by hand
  return s != nullptr ? static_cast<uint32_t>(std::strtoul(s, nullptr, 10)) : 20261127u;
}

// Paths over a few segments, with case variants, so that prefixes overlap.
const std::vector<std::string> kSegments = {"a", "ab", "b", "api", "API", "v1", "x", "1", "42", ""};
// A dense table's: nearly every route lands on one of a handful of trie nodes.
const std::vector<std::string> kDenseSegments = {"a", "b", ""};

// How a table is drawn.
struct Shape {
  const std::vector<std::string>* segments;
  std::size_t routes;
  int regex_percent;
  int condition_percent;  // for each of methods, headers, query
};

std::string random_path(Random& rnd, const Shape& shape) {
  if (rnd.chance(3)) return "";
  std::string path;
  std::size_t segments = rnd.below(shape.segments == &kSegments ? 4 : 2);
  for (std::size_t i = 0; i <= segments; ++i) path += "/" + rnd.pick(*shape.segments);
  if (rnd.chance(20)) path += "/";
  return path;
}

// Regexes: some with a literal prefix, some without one (so they share the root), some that
// match the empty path or nothing.
const std::vector<std::string> kRegexTails = {
    "",       ".*",         "[0-9]+",     "/[0-9]+", "/?",    "(/.*)?", "/[^/]+",
    "[a-z]*", "/(x|v1)/.*", "(?i)/api.*", "/a$",     "|/b/a", "/.*/x",  "\\d*",
};
const std::vector<std::string> kRegexHeads = {
    "",        "/",        "/a",     "/ab?",       "(?i)/a", "/(a|b)",
    "[/a-z]+", "^/api/v1", "/[ab]/", "(?:/v1|/x)", ".*",     "(?i)/API/",
};

std::string random_regex(Random& rnd, const std::string& literal, int literal_percent) {
  std::string head = rnd.chance(literal_percent) ? literal : rnd.pick(kRegexHeads);
  return head + rnd.pick(kRegexTails);
}

const std::vector<std::string> kMethods = {"GET", "POST", "HEAD", "get"};
const std::vector<std::string> kHeaderNames = {"x-a", "X-B"};
const std::vector<std::string> kValues = {"", "1", "12", "a", "A1"};
const std::vector<std::string> kQueryNames = {"q", "Q", "r"};

conf::MatchKind random_kind(Random& rnd) {
  switch (rnd.below(4)) {
    case 0:
      return conf::MatchKind::exact;
    case 1:
      return conf::MatchKind::prefix;
    case 2:
      return conf::MatchKind::regex;
    default:
      return conf::MatchKind::present;
  }
}

std::string value_for(Random& rnd, conf::MatchKind kind) {
  if (kind == conf::MatchKind::regex)
    return rnd.pick(std::vector<std::string>{"[0-9]+", "a.*", "", "(?i)a1"});
  if (kind == conf::MatchKind::present) return "";
  return rnd.pick(kValues);
}

conf::Route random_route(Random& rnd, int number, const Shape& shape) {
  conf::Route r;
  r.name = "r" + std::to_string(number);
  std::string path = random_path(rnd, shape);
  if (rnd.chance(shape.regex_percent)) {
    r.path_match = conf::PathMatch::regex;
    r.path = random_regex(rnd, path, shape.segments == &kDenseSegments ? 80 : 50);
  } else {
    switch (rnd.below(3)) {
      case 0:
        r.path_match = conf::PathMatch::prefix;
        // A prefix may end in the middle of a segment.
        if (!path.empty() && rnd.chance(30)) path.resize(rnd.below(path.size()) + 1);
        break;
      case 1:
        r.path_match = conf::PathMatch::path_prefix;  // trailing slashes are trimmed
        break;
      default:
        r.path_match = conf::PathMatch::exact;
        break;
    }
    r.path = path;
  }
  if (rnd.chance(shape.condition_percent)) {
    for (std::size_t i = 0, n = rnd.below(2) + 1; i < n; ++i)
      r.methods.push_back(rnd.pick(kMethods));
  }
  if (rnd.chance(shape.condition_percent)) {
    for (std::size_t i = 0, n = rnd.below(2) + 1; i < n; ++i) {
      conf::MatchKind kind = random_kind(rnd);
      r.headers.push_back({rnd.pick(kHeaderNames), kind, value_for(rnd, kind), rnd.chance(40)});
    }
  }
  if (rnd.chance(shape.condition_percent)) {
    conf::MatchKind kind = random_kind(rnd);
    r.query.push_back({rnd.pick(kQueryNames), kind, value_for(rnd, kind)});
  }
  return r;
}

// Mostly small tables; some large ones, and some dense ones: many routes (regexes enough to
// make RegexGroups) on a few nodes, interleaved with prefix routes, most with conditions.
Shape random_shape(Random& rnd) {
  std::size_t roll = rnd.below(100);
  if (roll < 15) return Shape{&kDenseSegments, 40 + rnd.below(300), 60, 50};
  if (roll < 25) return Shape{&kSegments, 60 + rnd.below(200), rnd.chance(50) ? 60 : 20, 25};
  return Shape{&kSegments, 1 + rnd.below(30), rnd.chance(30) ? 60 : 20, 25};
}

std::vector<conf::Route> random_routes(Random& rnd, const Shape& shape) {
  std::vector<conf::Route> routes;
  for (std::size_t i = 0; i < shape.routes; ++i) {
    routes.push_back(random_route(rnd, static_cast<int>(i), shape));
  }
  return routes;
}

// A request path: a table's path, extended, cut or changed a little, or a random one.
std::string request_path(Random& rnd, const Shape& shape, const std::vector<conf::Route>& routes) {
  std::string path = random_path(rnd, shape);
  if (!routes.empty() && rnd.chance(70)) {
    const conf::Route& r = rnd.pick(routes);
    if (r.path_match != conf::PathMatch::regex) path = r.path;
    switch (rnd.below(5)) {
      case 0:
        path += rnd.pick(std::vector<std::string>{"/", "x", "/x", "/1", "1/2", "/a/b"});
        break;
      case 1:
        if (!path.empty()) path.pop_back();
        break;
      case 2:
        for (char& c : path) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        break;
      default:
        break;
    }
  }
  return path;
}

struct Request {
  std::string path, query, method;
  HeaderMap headers;
  bool has_headers = true;
  RouteRequest view(std::string_view host = "example.com") const {
    return RouteRequest{host, method, path, query, has_headers ? &headers : nullptr};
  }
};

void fill_request(Random& rnd, const Shape& shape, const std::vector<conf::Route>& routes,
                  Request& req) {
  req.path = request_path(rnd, shape, routes);
  req.method = rnd.pick(std::vector<std::string>{"GET", "POST", "HEAD", "PUT", "get"});
  req.query = rnd.pick(
      std::vector<std::string>{"", "q", "q=1", "q=12&q=a", "r=a&Q=A1", "a=1&&q=", "q=a1", "r"});
  req.has_headers = !rnd.chance(5);
  static const std::vector<std::string> names = {"X-A", "x-a", "x-b", "X-B", "x-c"};
  for (std::size_t i = 0, n = rnd.below(4); i < n; ++i) {
    req.headers.add(rnd.pick(names), rnd.pick(kValues));
  }
}

std::string describe(const conf::Route& r) {
  std::ostringstream out;
  const char* kinds[] = {"prefix", "exact", "path_prefix", "regex"};
  out << r.name << " " << kinds[static_cast<int>(r.path_match)] << " \"" << r.path << "\"";
  for (const std::string& m : r.methods) out << " m:" << m;
  for (const conf::HeaderMatcher& h : r.headers) {
    out << " h:" << h.name << "/" << static_cast<int>(h.kind) << "/\"" << h.value << "\""
        << (h.invert ? "/inv" : "");
  }
  for (const conf::QueryMatcher& q : r.query) {
    out << " q:" << q.name << "/" << static_cast<int>(q.kind) << "/\"" << q.value << "\"";
  }
  return out.str();
}

std::string describe(const Request& req) {
  std::ostringstream out;
  out << req.method << " \"" << req.path << "\" ?\"" << req.query << "\"";
  if (!req.has_headers) out << " (no headers)";
  for (const HeaderField& f : req.headers) out << " " << f.name << ": " << f.value;
  return out.str();
}

TEST(RouteIndexProperty, PicksTheRouteTheLinearWalkPicks) {
  Random rnd(seed());
  constexpr int kTables = 1200;
  constexpr int kRequestsPerTable = 60;
  int matched = 0, total = 0;
  for (int t = 0; t < kTables; ++t) {
    Shape shape = random_shape(rnd);
    std::vector<conf::VirtualHost> vhosts{vhost("only", {"*"}, random_routes(rnd, shape))};
    RouteTable table(vhosts);
    LinearRoutes linear(vhosts[0].routes);
    for (int i = 0; i < kRequestsPerTable; ++i) {
      Request req;
      fill_request(rnd, shape, vhosts[0].routes, req);
      const conf::Route* got = table.match(req.view());
      int want = linear.match(req.view());
      const conf::Route* expected = want < 0 ? nullptr : &vhosts[0].routes[want];
      ++total;
      if (want >= 0) ++matched;
      if (got != expected) {
        std::ostringstream table_text;
        for (const conf::Route& r : vhosts[0].routes) table_text << "  " << describe(r) << "\n";
        FAIL() << "table " << t << ", request " << describe(req) << ": index picked "
               << (got ? got->name : "none") << ", linear walk "
               << (expected ? expected->name : "none") << "\n"
               << table_text.str();
      }
    }
  }
  // The generator is worth something only if many requests match and many do not.
  EXPECT_GT(matched, total / 5);
  EXPECT_LT(matched, total * 4 / 5);
}

// Hosts: exact, suffix and prefix wildcards over a few labels, in any case, duplicates
// included (the first host keeps a domain).
// clang-format off
const std::vector<std::string> kDomains = {
    "example.com", "a.example.com", "A.b.example.com", "*.example.com", "*.b.example.com",
    "*-b.example.com", "*B.example.com", "*.com", "a.*", "a.b.*", "A.B.EXAMPLE.*", "A.B*", "b*",
    "*", "[::1]", "*.a"};
const std::vector<std::string> kHosts = {
    "example.com", "a.example.com", "A.B.example.com:8080", "x.b.example.com", "x-b.example.com",
    "xb.example.com", "b.example.com", ".example.com", "a.", "a.b", "a.bc", "a.b.example.org",
    "b", "bb", "[::1]:443", "", "com", "x.a", "a.example.com.", "A.EXAMPLE.COM:80"};
// clang-format on

TEST(RouteIndexProperty, PicksTheVirtualHostTheLinearScanPicks) {
  Random rnd(seed() + 1);
  for (int t = 0; t < 2000; ++t) {
    std::vector<conf::VirtualHost> vhosts;
    for (std::size_t v = 0, n = 1 + rnd.below(6); v < n; ++v) {
      std::vector<std::string> domains;
      for (std::size_t d = 0, m = 1 + rnd.below(3); d < m; ++d)
        domains.push_back(rnd.pick(kDomains));
      vhosts.push_back(vhost("v" + std::to_string(v), domains, {prefix("/")}));
    }
    RouteTable table(vhosts);
    for (const std::string& host : kHosts) {
      const conf::VirtualHost* got = nullptr;
      table.match(request("/", {}, "GET", nullptr, host), &got);
      int want = linear_vhost(vhosts, host);
      const conf::VirtualHost* expected = want < 0 ? nullptr : &vhosts[want];
      if (got != expected) {
        std::ostringstream text;
        for (const conf::VirtualHost& vh : vhosts) {
          text << "  " << vh.name << ":";
          for (const std::string& d : vh.domains) text << " " << d;
          text << "\n";
        }
        FAIL() << "hosts case " << t << ", Host \"" << host << "\": table picked "
               << (got ? got->name : "none") << ", linear scan "
               << (expected ? expected->name : "none") << "\n"
               << text.str();
      }
    }
  }
}

}  // namespace
}  // namespace ringress::http
