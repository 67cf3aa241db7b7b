// RouteTable::rewrite_target and RouteTable::redirect_location.
#include <gtest/gtest.h>

#include "http/route_table.h"
#include "tests/http_router/route_builders.h"

namespace ringress::http {
namespace {

using namespace router_test;

// A table over one route, and an arena for results.
class Rewriter {
 public:
  explicit Rewriter(conf::Route r) : vhosts_{vhost("v", {"*"}, {std::move(r)})}, table_(vhosts_) {}
  const conf::Route& route() const { return vhosts_[0].routes[0]; }
  std::string_view target(std::string_view path, std::string_view query = {}) {
    original_ = std::string(path) + (query.empty() ? "" : "?") + std::string(query);
    return table_.rewrite_target(route(), path, query, original_, arena_);
  }
  bool kept_original(std::string_view result) const { return result.data() == original_.data(); }
  std::string_view location(std::string_view path, std::string_view query = {},
                            std::string_view host = "example.com",
                            std::string_view scheme = "http") {
    return table_.redirect_location(route(), scheme, host, path, query, arena_);
  }

 private:
  std::vector<conf::VirtualHost> vhosts_;
  RouteTable table_;
  core::Arena arena_{64};  // small blocks, so results also cross block boundaries
  std::string original_;
};

conf::Route with_prefix_rewrite(conf::Route r, std::string rewrite) {
  r.prefix_rewrite = std::move(rewrite);
  return r;
}
conf::Route with_regex_rewrite(conf::Route r, std::string pattern, std::string substitution) {
  r.regex_rewrite = conf::RegexRewrite{std::move(pattern), std::move(substitution)};
  return r;
}

TEST(RewriteTarget, NoRewriteKeepsTheOriginalTarget) {
  Rewriter t(prefix("/api"));
  std::string_view out = t.target("/api/x", "a=1");
  EXPECT_EQ(out, "/api/x?a=1");
  EXPECT_TRUE(t.kept_original(out));
}

TEST(RewriteTarget, PrefixRouteReplacesTheMatchedPrefixAndKeepsTheQuery) {
  Rewriter t(with_prefix_rewrite(prefix("/api/"), "/v2/"));
  EXPECT_EQ(t.target("/api/users", "a=1&b=2"), "/v2/users?a=1&b=2");
  EXPECT_EQ(t.target("/api/"), "/v2/");
}

TEST(RewriteTarget, PrefixRouteIsAPlainStringReplacement) {
  Rewriter t(with_prefix_rewrite(prefix("/api"), "/v2"));
  EXPECT_EQ(t.target("/apix"), "/v2x");
  EXPECT_EQ(t.target("/api/x"), "/v2/x");
  Rewriter root(with_prefix_rewrite(prefix("/old/"), "/"));
  EXPECT_EQ(root.target("/old/page"), "/page");
}

TEST(RewriteTarget, PathPrefixRouteJoinsSegmentsWithOneSlash) {
  Rewriter t(with_prefix_rewrite(path_prefix("/api"), "/v2/"));
  EXPECT_EQ(t.target("/api/x", "q"), "/v2/x?q");
  EXPECT_EQ(t.target("/api"), "/v2");
  EXPECT_EQ(t.target("/api/"), "/v2/");
  Rewriter no_slash(with_prefix_rewrite(path_prefix("/api/"), "/v2"));
  EXPECT_EQ(no_slash.target("/api/x"), "/v2/x");
  EXPECT_EQ(no_slash.target("/api"), "/v2");
}

TEST(RewriteTarget, PathPrefixRouteToRoot) {
  Rewriter t(with_prefix_rewrite(path_prefix("/api"), "/"));
  EXPECT_EQ(t.target("/api/x/y"), "/x/y");
  EXPECT_EQ(t.target("/api", "a=1"), "/?a=1");
}

TEST(RewriteTarget, ExactAndRegexRoutesReplaceTheWholePath) {
  Rewriter e(with_prefix_rewrite(exact("/old"), "/new"));
  EXPECT_EQ(e.target("/old", "x=1"), "/new?x=1");
  Rewriter r(with_prefix_rewrite(regex("/items/[0-9]+"), "/item"));
  EXPECT_EQ(r.target("/items/42"), "/item");
}

TEST(RewriteTarget, RegexWithGroups) {
  Rewriter t(with_regex_rewrite(prefix("/"), "^/service/([^/]+)(/.*)$", "\\2/instance/\\1"));
  EXPECT_EQ(t.target("/service/foo/v1/api", "k=v"), "/v1/api/instance/foo?k=v");
}

TEST(RewriteTarget, RegexReplacesEveryMatch) {
  Rewriter t(with_regex_rewrite(prefix("/"), "one", "two"));
  EXPECT_EQ(t.target("/xxx/one/yyy/one/zzz"), "/xxx/two/yyy/two/zzz");
}

TEST(RewriteTarget, RegexWholeMatchAndBackslash) {
  Rewriter t(with_regex_rewrite(prefix("/"), "[0-9]+", "<\\0>\\\\"));
  EXPECT_EQ(t.target("/a/12/b/3"), "/a/<12>\\/b/<3>\\");
}

TEST(RewriteTarget, RegexWithoutMatchKeepsTheOriginalTarget) {
  Rewriter t(with_regex_rewrite(prefix("/"), "^/service/(.*)$", "/\\1"));
  std::string_view out = t.target("/other/x", "a=1");
  EXPECT_EQ(out, "/other/x?a=1");
  EXPECT_TRUE(t.kept_original(out));
}

TEST(RewriteTarget, RegexNeverMatchesTheQuery) {
  Rewriter t(with_regex_rewrite(prefix("/"), "a", "b"));
  EXPECT_EQ(t.target("/a", "a=a"), "/b?a=a");
}

TEST(RewriteTarget, RegexLeavingNothingGivesRoot) {
  Rewriter t(with_regex_rewrite(prefix("/"), "^/strip", ""));
  EXPECT_EQ(t.target("/strip"), "/");
  EXPECT_EQ(t.target("/strip/me"), "/me");
}

TEST(RewriteTarget, ResultOutlivesLaterRewrites) {
  Rewriter t(with_regex_rewrite(prefix("/"), "x", "yy"));
  std::string_view first = t.target("/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x");
  std::string copy(first);
  for (int i = 0; i < 10; ++i) t.target("/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x");
  EXPECT_EQ(first, copy);
  EXPECT_EQ(first, "/yy/yy/yy/yy/yy/yy/yy/yy/yy/yy/yy/yy/yy/yy/yy/yy");
}

conf::Route redirecting(conf::Route r, conf::Redirect redirect) {
  r.redirect = std::move(redirect);
  return r;
}

TEST(RedirectLocation, KeepsEverythingByDefault) {
  Rewriter t(redirecting(prefix("/"), {}));
  EXPECT_EQ(t.location("/a/b", "q=1"), "http://example.com/a/b?q=1");
  EXPECT_EQ(t.location("/a/b", {}, "example.com:8080"), "http://example.com:8080/a/b");
}

TEST(RedirectLocation, Scheme) {
  Rewriter t(redirecting(prefix("/"), {.scheme = "https"}));
  EXPECT_EQ(t.location("/a", "q=1"), "https://example.com/a?q=1");
  EXPECT_EQ(t.location("/a", {}, "example.com:80"), "https://example.com/a");
  EXPECT_EQ(t.location("/a", {}, "example.com:8080"), "https://example.com:8080/a");
  EXPECT_EQ(t.location("/a", {}, "[::1]:80"), "https://[::1]/a");
  EXPECT_EQ(t.location("/a", {}, "example.com:443", "https"), "https://example.com:443/a");
  Rewriter down(redirecting(prefix("/"), {.scheme = "http"}));
  EXPECT_EQ(down.location("/a", {}, "example.com:443", "https"), "http://example.com/a");
}

TEST(RedirectLocation, Host) {
  Rewriter t(redirecting(prefix("/"), {.host = "www.example.org"}));
  EXPECT_EQ(t.location("/a", "q=1", "example.com:8080"), "http://www.example.org/a?q=1");
  Rewriter port(redirecting(prefix("/"), {.host = "www.example.org:8443"}));
  EXPECT_EQ(port.location("/a", {}, "example.com"), "http://www.example.org:8443/a");
}

TEST(RedirectLocation, PathReplacesTheWholePath) {
  Rewriter t(redirecting(prefix("/old"), {.path = "/new"}));
  EXPECT_EQ(t.location("/old/deep/page", "q=1"), "http://example.com/new?q=1");
}

TEST(RedirectLocation, PrefixReplacesTheMatchedPrefix) {
  Rewriter t(redirecting(prefix("/old/"), {.prefix = "/new/"}));
  EXPECT_EQ(t.location("/old/a/b", "q=1"), "http://example.com/new/a/b?q=1");
  Rewriter pp(redirecting(path_prefix("/old"), {.prefix = "/new/"}));
  EXPECT_EQ(pp.location("/old/a"), "http://example.com/new/a");
  EXPECT_EQ(pp.location("/old"), "http://example.com/new");
  Rewriter ex(redirecting(exact("/old"), {.prefix = "/new"}));
  EXPECT_EQ(ex.location("/old"), "http://example.com/new");
}

TEST(RedirectLocation, StripQuery) {
  Rewriter t(redirecting(prefix("/"), {.strip_query = true}));
  EXPECT_EQ(t.location("/a", "q=1&r=2"), "http://example.com/a");
}

TEST(RedirectLocation, EveryField) {
  Rewriter t(redirecting(prefix("/"), {.scheme = "https",
                                       .host = "secure.example.com",
                                       .path = "/login",
                                       .strip_query = true,
                                       .status = 308}));
  EXPECT_EQ(t.location("/account", "next=1", "example.com:80"), "https://secure.example.com/login");
  EXPECT_EQ(t.route().redirect->status, 308);
}

TEST(RedirectLocation, NoHostGivesARelativeLocation) {
  Rewriter t(redirecting(prefix("/"), {.path = "/new"}));
  EXPECT_EQ(t.location("/old", "q=1", ""), "/new?q=1");
}

TEST(RedirectLocation, RouteWithoutRedirectGivesNothing) {
  Rewriter t(prefix("/"));
  EXPECT_EQ(t.location("/a"), "");
}

}  // namespace
}  // namespace ringress::http
