// RouteTable::match: virtual host selection, each match kind, and their combination.
#include <gtest/gtest.h>

#include <stdexcept>
#include <type_traits>

#include "http/header_map.h"
#include "http/route_table.h"
#include "tests/http_router/route_builders.h"

namespace ringress::http {
namespace {

using namespace router_test;

// A table over one virtual host for every domain; the route's name identifies the match.
class OneHost {
 public:
  explicit OneHost(std::vector<conf::Route> routes)
      : vhosts_{vhost("only", {"*"}, std::move(routes))}, table_(vhosts_) {}
  // The matched route's name, or "none".
  std::string match(const RouteRequest& req) const {
    const conf::Route* r = table_.match(req);
    return r == nullptr ? "none" : r->name;
  }
  std::string path(std::string_view p) const { return match(request(p)); }

 private:
  std::vector<conf::VirtualHost> vhosts_;
  RouteTable table_;
};

TEST(RouteTableHosts, SelectsTheVirtualHostByDomain) {
  std::vector<conf::VirtualHost> vhosts{
      vhost("default", {"*"}, {prefix("/", "default-root")}),
      vhost("api", {"api.example.com"}, {prefix("/", "api-root")}),
      vhost("wild", {"*.example.com"}, {prefix("/", "wild-root")}),
      vhost("pre", {"api.*"}, {prefix("/", "pre-root")}),
  };
  RouteTable table(vhosts);
  const conf::VirtualHost* vh = nullptr;
  auto on = [&](std::string_view host) {
    const conf::Route* r = table.match(request("/", {}, "GET", nullptr, host), &vh);
    return r == nullptr ? std::string("none") : r->name;
  };
  EXPECT_EQ(on("api.example.com"), "api-root");
  EXPECT_EQ(vh, &vhosts[1]);
  EXPECT_EQ(on("API.example.com:8443"), "api-root");
  EXPECT_EQ(on("www.example.com"), "wild-root");
  EXPECT_EQ(vh, &vhosts[2]);
  EXPECT_EQ(on("api.example.org"), "pre-root");
  EXPECT_EQ(vh, &vhosts[3]);
  EXPECT_EQ(on("other"), "default-root");
  EXPECT_EQ(vh, &vhosts[0]);
}

TEST(RouteTableHosts, NoMatchingDomainGivesNullAndNoHost) {
  std::vector<conf::VirtualHost> vhosts{vhost("api", {"api.example.com"}, {prefix("/")})};
  RouteTable table(vhosts);
  const conf::VirtualHost* vh = &vhosts[0];
  EXPECT_EQ(table.match(request("/", {}, "GET", nullptr, "www.example.com"), &vh), nullptr);
  EXPECT_EQ(vh, nullptr);
}

TEST(RouteTableHosts, HostWithoutMatchingRouteGivesNullButTheHost) {
  std::vector<conf::VirtualHost> vhosts{vhost("api", {"api.example.com"}, {exact("/x")})};
  RouteTable table(vhosts);
  const conf::VirtualHost* vh = nullptr;
  EXPECT_EQ(table.match(request("/y", {}, "GET", nullptr, "api.example.com"), &vh), nullptr);
  EXPECT_EQ(vh, &vhosts[0]);
}

TEST(RouteTableHosts, RoutesOfEachHostAreItsOwn) {
  std::vector<conf::VirtualHost> vhosts{
      vhost("a", {"a"}, {exact("/1", "a1"), exact("/2", "a2")}),
      vhost("b", {"b"}, {exact("/1", "b1"), exact("/3", "b3")}),
  };
  RouteTable table(vhosts);
  EXPECT_EQ(table.match(request("/1", {}, "GET", nullptr, "b")), &vhosts[1].routes[0]);
  EXPECT_EQ(table.match(request("/3", {}, "GET", nullptr, "b")), &vhosts[1].routes[1]);
  EXPECT_EQ(table.match(request("/2", {}, "GET", nullptr, "a")), &vhosts[0].routes[1]);
  EXPECT_EQ(table.match(request("/3", {}, "GET", nullptr, "a")), nullptr);
  EXPECT_EQ(table.match(request("/2", {}, "GET", nullptr, "b")), nullptr);
}

TEST(RouteTableHosts, EmptyConfigMatchesNothing) {
  std::vector<conf::VirtualHost> vhosts;
  RouteTable table(vhosts);
  EXPECT_EQ(table.match(request("/")), nullptr);
}

TEST(RouteTableHosts, TemporaryConfigIsRejectedAtCompileTime) {
  static_assert(!std::is_constructible_v<RouteTable, std::vector<conf::VirtualHost>&&>);
  static_assert(std::is_constructible_v<RouteTable, const std::vector<conf::VirtualHost>&>);
}

TEST(RouteTablePaths, PrefixIsAPlainStringPrefix) {
  OneHost t({prefix("/api", "p")});
  EXPECT_EQ(t.path("/api"), "p");
  EXPECT_EQ(t.path("/api/users"), "p");
  EXPECT_EQ(t.path("/apix"), "p");
  EXPECT_EQ(t.path("/ap"), "none");
  EXPECT_EQ(t.path("/API"), "none");
  EXPECT_EQ(t.path("/x/api"), "none");
}

TEST(RouteTablePaths, RootPrefixMatchesEverything) {
  OneHost t({prefix("/", "root")});
  EXPECT_EQ(t.path("/"), "root");
  EXPECT_EQ(t.path("/anything/at/all"), "root");
}

TEST(RouteTablePaths, ExactMatchesOnlyTheWholePath) {
  OneHost t({exact("/healthz", "e")});
  EXPECT_EQ(t.path("/healthz"), "e");
  EXPECT_EQ(t.path("/healthz/"), "none");
  EXPECT_EQ(t.path("/healthzz"), "none");
  EXPECT_EQ(t.path("/health"), "none");
  EXPECT_EQ(t.path("/HEALTHZ"), "none");
}

TEST(RouteTablePaths, PathPrefixMatchesWholeSegments) {
  OneHost t({path_prefix("/api", "pp")});
  EXPECT_EQ(t.path("/api"), "pp");
  EXPECT_EQ(t.path("/api/"), "pp");
  EXPECT_EQ(t.path("/api/x"), "pp");
  EXPECT_EQ(t.path("/api/x/y"), "pp");
  EXPECT_EQ(t.path("/apix"), "none");
  EXPECT_EQ(t.path("/ap"), "none");
  EXPECT_EQ(t.path("/"), "none");
}

TEST(RouteTablePaths, PathPrefixIgnoresATrailingSlashInTheConfig) {
  OneHost t({path_prefix("/api/", "pp")});
  EXPECT_EQ(t.path("/api"), "pp");
  EXPECT_EQ(t.path("/api/"), "pp");
  EXPECT_EQ(t.path("/api/x"), "pp");
  EXPECT_EQ(t.path("/apix"), "none");
}

TEST(RouteTablePaths, PathPrefixOfRootMatchesEveryAbsolutePath) {
  OneHost t({path_prefix("/", "pp")});
  EXPECT_EQ(t.path("/"), "pp");
  EXPECT_EQ(t.path("/x"), "pp");
  EXPECT_EQ(t.path("*"), "none");
}

TEST(RouteTablePaths, NestedPathPrefix) {
  OneHost t({path_prefix("/api/v1", "pp")});
  EXPECT_EQ(t.path("/api/v1"), "pp");
  EXPECT_EQ(t.path("/api/v1/users"), "pp");
  EXPECT_EQ(t.path("/api/v10"), "none");
  EXPECT_EQ(t.path("/api"), "none");
}

TEST(RouteTablePaths, RegexMustMatchTheWholePath) {
  OneHost t({regex("/users/[0-9]+", "re")});
  EXPECT_EQ(t.path("/users/42"), "re");
  EXPECT_EQ(t.path("/users/42/posts"), "none");
  EXPECT_EQ(t.path("/v1/users/42"), "none");
  EXPECT_EQ(t.path("/users/"), "none");
  EXPECT_EQ(t.path("/users/abc"), "none");
}

TEST(RouteTablePaths, QueryIsNotPartOfThePath) {
  OneHost t({exact("/search", "e")});
  EXPECT_EQ(t.match(request("/search", "q=1")), "e");
}

TEST(RouteTableOrder, FirstMatchWinsInConfigOrder) {
  OneHost t({prefix("/", "catch-all"), exact("/healthz", "health")});
  EXPECT_EQ(t.path("/healthz"), "catch-all");
  OneHost u({exact("/healthz", "health"), prefix("/", "catch-all")});
  EXPECT_EQ(u.path("/healthz"), "health");
  EXPECT_EQ(u.path("/other"), "catch-all");
}

TEST(RouteTableOrder, ALaterRouteCatchesWhatEarlierOnesRefuse) {
  conf::Route posts = prefix("/api", "post-only");
  posts.methods = {"POST"};
  OneHost t({posts, prefix("/api", "any"), exact("/never", "never")});
  EXPECT_EQ(t.match(request("/api", {}, "POST")), "post-only");
  EXPECT_EQ(t.match(request("/api", {}, "GET")), "any");
  EXPECT_EQ(t.path("/other"), "none");
}

TEST(RouteTableMethods, MethodMustBeListed) {
  conf::Route r = prefix("/", "r");
  r.methods = {"GET", "HEAD"};
  OneHost t({r});
  EXPECT_EQ(t.match(request("/", {}, "GET")), "r");
  EXPECT_EQ(t.match(request("/", {}, "HEAD")), "r");
  EXPECT_EQ(t.match(request("/", {}, "POST")), "none");
  EXPECT_EQ(t.match(request("/", {}, "get")), "none");
  EXPECT_EQ(t.match(request("/", {}, "")), "none");
}

TEST(RouteTableMethods, NoMethodsMeansAny) {
  OneHost t({prefix("/", "r")});
  EXPECT_EQ(t.match(request("/", {}, "DELETE")), "r");
  EXPECT_EQ(t.match(request("/", {}, "PURGE")), "r");
}

conf::Route with_header(std::string name, conf::MatchKind kind, std::string value,
                        bool invert = false) {
  conf::Route r = prefix("/", "r");
  r.headers.push_back({std::move(name), kind, std::move(value), invert});
  return r;
}

// Whether the route matches a request carrying `headers` (name, value pairs).
bool header_match(const conf::Route& r, std::vector<std::pair<std::string, std::string>> fields) {
  OneHost t({r});
  HeaderMap h;
  for (const auto& [name, value] : fields) h.add(name, value);
  return t.match(request("/", {}, "GET", &h)) == "r";
}

TEST(RouteTableHeaders, Exact) {
  conf::Route r = with_header("x-env", conf::MatchKind::exact, "canary");
  EXPECT_TRUE(header_match(r, {{"x-env", "canary"}}));
  EXPECT_TRUE(header_match(r, {{"X-Env", "canary"}}));
  EXPECT_FALSE(header_match(r, {{"x-env", "Canary"}}));
  EXPECT_FALSE(header_match(r, {{"x-env", "canary2"}}));
  EXPECT_FALSE(header_match(r, {{"x-env", ""}}));
  EXPECT_FALSE(header_match(r, {}));
}

TEST(RouteTableHeaders, Prefix) {
  conf::Route r = with_header("user-agent", conf::MatchKind::prefix, "curl/");
  EXPECT_TRUE(header_match(r, {{"User-Agent", "curl/8.0"}}));
  EXPECT_TRUE(header_match(r, {{"User-Agent", "curl/"}}));
  EXPECT_FALSE(header_match(r, {{"User-Agent", "Mozilla curl/8.0"}}));
  EXPECT_FALSE(header_match(r, {}));
}

TEST(RouteTableHeaders, Present) {
  conf::Route r = with_header("authorization", conf::MatchKind::present, "");
  EXPECT_TRUE(header_match(r, {{"Authorization", "Bearer x"}}));
  EXPECT_TRUE(header_match(r, {{"authorization", ""}}));
  EXPECT_FALSE(header_match(r, {{"x-other", "1"}}));
  EXPECT_FALSE(header_match(r, {}));
}

TEST(RouteTableHeaders, RegexIsAFullMatch) {
  conf::Route r = with_header("x-version", conf::MatchKind::regex, "v[0-9]+");
  EXPECT_TRUE(header_match(r, {{"x-version", "v12"}}));
  EXPECT_FALSE(header_match(r, {{"x-version", "v12-beta"}}));
  EXPECT_FALSE(header_match(r, {{"x-version", "2v12"}}));
  EXPECT_FALSE(header_match(r, {}));
}

TEST(RouteTableHeaders, InvertFlipsEveryKindIncludingAbsent) {
  conf::Route ex = with_header("x-env", conf::MatchKind::exact, "prod", true);
  EXPECT_FALSE(header_match(ex, {{"x-env", "prod"}}));
  EXPECT_TRUE(header_match(ex, {{"x-env", "dev"}}));
  EXPECT_TRUE(header_match(ex, {}));  // absent: exact fails, inverted: matches
  conf::Route pre = with_header("x-env", conf::MatchKind::prefix, "pr", true);
  EXPECT_FALSE(header_match(pre, {{"x-env", "prod"}}));
  EXPECT_TRUE(header_match(pre, {{"x-env", "dev"}}));
  EXPECT_TRUE(header_match(pre, {}));
  conf::Route re = with_header("x-env", conf::MatchKind::regex, "p.*", true);
  EXPECT_FALSE(header_match(re, {{"x-env", "prod"}}));
  EXPECT_TRUE(header_match(re, {{"x-env", "dev"}}));
  EXPECT_TRUE(header_match(re, {}));
  conf::Route present = with_header("x-debug", conf::MatchKind::present, "", true);
  EXPECT_FALSE(header_match(present, {{"x-debug", "1"}}));
  EXPECT_TRUE(header_match(present, {}));
}

TEST(RouteTableHeaders, OnlyTheFirstOfRepeatedHeadersCounts) {
  conf::Route r = with_header("x-tag", conf::MatchKind::exact, "b");
  EXPECT_FALSE(header_match(r, {{"x-tag", "a"}, {"x-tag", "b"}}));
  EXPECT_TRUE(header_match(r, {{"x-tag", "b"}, {"x-tag", "a"}}));
  EXPECT_TRUE(header_match(r, {{"x-other", "a"}, {"X-TAG", "b"}, {"x-tag", "a"}}));
}

TEST(RouteTableHeaders, EveryMatcherMustHold) {
  conf::Route r = with_header("x-a", conf::MatchKind::exact, "1");
  r.headers.push_back({"x-b", conf::MatchKind::present, "", false});
  EXPECT_TRUE(header_match(r, {{"x-a", "1"}, {"x-b", ""}}));
  EXPECT_FALSE(header_match(r, {{"x-a", "1"}}));
  EXPECT_FALSE(header_match(r, {{"x-b", ""}}));
}

TEST(RouteTableHeaders, NoHeaderMapMeansNoHeaders) {
  OneHost present({with_header("x-a", conf::MatchKind::present, "")});
  EXPECT_EQ(present.match(request("/", {}, "GET", nullptr)), "none");
  OneHost absent({with_header("x-a", conf::MatchKind::present, "", true)});
  EXPECT_EQ(absent.match(request("/", {}, "GET", nullptr)), "r");
}

conf::Route with_query(std::string name, conf::MatchKind kind, std::string value) {
  conf::Route r = prefix("/", "r");
  r.query.push_back({std::move(name), kind, std::move(value)});
  return r;
}

bool query_match(const conf::Route& r, std::string_view query) {
  OneHost t({r});
  return t.match(request("/", query)) == "r";
}

TEST(RouteTableQuery, Exact) {
  conf::Route r = with_query("debug", conf::MatchKind::exact, "1");
  EXPECT_TRUE(query_match(r, "debug=1"));
  EXPECT_TRUE(query_match(r, "a=2&debug=1&b=3"));
  EXPECT_FALSE(query_match(r, "debug=10"));
  EXPECT_FALSE(query_match(r, "Debug=1"));
  EXPECT_FALSE(query_match(r, "xdebug=1"));
  EXPECT_FALSE(query_match(r, "debug"));
  EXPECT_FALSE(query_match(r, ""));
}

TEST(RouteTableQuery, Prefix) {
  conf::Route r = with_query("lang", conf::MatchKind::prefix, "en");
  EXPECT_TRUE(query_match(r, "lang=en-GB"));
  EXPECT_TRUE(query_match(r, "lang=en"));
  EXPECT_FALSE(query_match(r, "lang=fr"));
  EXPECT_FALSE(query_match(r, "x=1"));
}

TEST(RouteTableQuery, PresentIncludesAParameterWithoutValue) {
  conf::Route r = with_query("debug", conf::MatchKind::present, "");
  EXPECT_TRUE(query_match(r, "debug"));
  EXPECT_TRUE(query_match(r, "debug="));
  EXPECT_TRUE(query_match(r, "a=1&debug&b"));
  EXPECT_FALSE(query_match(r, "debugger=1"));
  EXPECT_FALSE(query_match(r, "a=debug"));
  EXPECT_FALSE(query_match(r, ""));
}

TEST(RouteTableQuery, RegexIsAFullMatch) {
  conf::Route r = with_query("id", conf::MatchKind::regex, "[0-9]+");
  EXPECT_TRUE(query_match(r, "id=123"));
  EXPECT_FALSE(query_match(r, "id=123x"));
  EXPECT_FALSE(query_match(r, "id="));
  EXPECT_FALSE(query_match(r, "id"));
}

TEST(RouteTableQuery, OnlyTheFirstOccurrenceCounts) {
  conf::Route r = with_query("v", conf::MatchKind::exact, "2");
  EXPECT_FALSE(query_match(r, "v=1&v=2"));
  EXPECT_TRUE(query_match(r, "v=2&v=1"));
}

TEST(RouteTableQuery, NoPercentDecoding) {
  conf::Route r = with_query("q", conf::MatchKind::exact, "a b");
  EXPECT_FALSE(query_match(r, "q=a%20b"));
  EXPECT_FALSE(query_match(r, "q=a+b"));
  EXPECT_TRUE(query_match(r, "q=a b"));
  conf::Route encoded = with_query("q", conf::MatchKind::exact, "a%20b");
  EXPECT_TRUE(query_match(encoded, "q=a%20b"));
}

TEST(RouteTableQuery, ValueMayContainEqualsAndEmptyPartsAreSkipped) {
  conf::Route r = with_query("t", conf::MatchKind::exact, "a=b");
  EXPECT_TRUE(query_match(r, "&&t=a=b&"));
}

TEST(RouteTableQuery, EveryMatcherMustHold) {
  conf::Route r = with_query("a", conf::MatchKind::exact, "1");
  r.query.push_back({"b", conf::MatchKind::present, ""});
  EXPECT_TRUE(query_match(r, "b&a=1"));
  EXPECT_FALSE(query_match(r, "a=1"));
  EXPECT_FALSE(query_match(r, "b=1"));
}

TEST(RouteTableCombined, PathMethodHeadersAndQueryMustAllHold) {
  conf::Route r = path_prefix("/api", "r");
  r.methods = {"PUT"};
  r.headers.push_back({"x-env", conf::MatchKind::exact, "canary", false});
  r.query.push_back({"v", conf::MatchKind::exact, "2"});
  OneHost t({r, prefix("/", "fallback")});
  HeaderMap h;
  h.add("X-Env", "canary");
  HeaderMap other;
  other.add("X-Env", "prod");
  EXPECT_EQ(t.match(request("/api/x", "v=2", "PUT", &h)), "r");
  EXPECT_EQ(t.match(request("/apix", "v=2", "PUT", &h)), "fallback");
  EXPECT_EQ(t.match(request("/api/x", "v=2", "GET", &h)), "fallback");
  EXPECT_EQ(t.match(request("/api/x", "v=2", "PUT", &other)), "fallback");
  EXPECT_EQ(t.match(request("/api/x", "v=1", "PUT", &h)), "fallback");
}

std::vector<conf::VirtualHost> one_route(conf::Route r) {
  return {vhost("v", {"*"}, {std::move(r)})};
}

TEST(RouteTableErrors, BadRegexesThrowInvalidArgument) {
  auto bad_path = one_route(regex("/users/(", "users"));
  EXPECT_THROW(RouteTable{bad_path}, std::invalid_argument);
  auto bad_header = one_route(with_header("x", conf::MatchKind::regex, "[a-"));
  EXPECT_THROW(RouteTable{bad_header}, std::invalid_argument);
  auto bad_query = one_route(with_query("x", conf::MatchKind::regex, "*"));
  EXPECT_THROW(RouteTable{bad_query}, std::invalid_argument);
  conf::Route rw = prefix("/");
  rw.regex_rewrite = conf::RegexRewrite{"(", ""};
  auto bad_rewrite = one_route(rw);
  EXPECT_THROW(RouteTable{bad_rewrite}, std::invalid_argument);
}

TEST(RouteTableErrors, MessageNamesTheRoute) {
  auto bad = one_route(regex("/users/(", "users"));
  try {
    RouteTable table(bad);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("virtual host 'v' route 'users' path regex"),
              std::string::npos)
        << e.what();
  }
}

TEST(RouteTableErrors, BadSubstitutionThrowsInvalidArgument) {
  conf::Route r = prefix("/");
  r.regex_rewrite = conf::RegexRewrite{"/(a)", "\\2"};
  auto vhosts = one_route(r);
  EXPECT_THROW(RouteTable{vhosts}, std::invalid_argument);
}

}  // namespace
}  // namespace ringress::http
