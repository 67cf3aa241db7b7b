// match() must not allocate: counts calls to operator new around it.
#include <gtest/gtest.h>

#include <string>

#include "http/header_map.h"
#include "http/route_table.h"
#include "tests/http_router/alloc_counter.h"
#include "tests/http_router/route_builders.h"

namespace ringress::http {
namespace {

using namespace router_test;

TEST(RouteTableAllocations, MatchAllocatesNothing) {
  conf::Route by_header = regex("/users/[0-9]+", "users");
  by_header.methods = {"GET", "HEAD"};
  by_header.headers.push_back({"x-version", conf::MatchKind::regex, "v[0-9]+", false});
  by_header.headers.push_back({"x-env", conf::MatchKind::exact, "prod", true});
  by_header.query.push_back({"id", conf::MatchKind::regex, "[a-z]+"});
  std::vector<conf::VirtualHost> vhosts{
      vhost("exact", {"api.example.com"}, {exact("/healthz"), path_prefix("/v1")}),
      vhost("wild", {"*.example.com", "www.*"}, {by_header, prefix("/", "root")}),
      vhost("default", {"*"}, {prefix("/")}),
  };
  std::size_t at_start = allocation_count();
  RouteTable table(vhosts);
  ASSERT_GT(allocation_count(), at_start);  // the counter works: compiling allocates
  HeaderMap headers;
  headers.add("Host", "a.example.com");
  headers.add("X-Version", "v2");
  const RouteRequest requests[] = {
      request("/users/42", "x=1&id=abc", "GET", &headers, "a.example.com:8080"),
      request("/users/x", "", "GET", &headers, "A.EXAMPLE.COM"),
      request("/v1/x", "", "GET", &headers, "api.example.com"),
      request("/nothing", "", "GET", &headers, "www.example.org"),
      request("/", "", "GET", nullptr, "unknown"),
  };
  for (const RouteRequest& r : requests) table.match(r);  // warms RE2's DFA caches
  std::size_t before = allocation_count();
  const conf::Route* found = nullptr;
  for (int i = 0; i < 100; ++i) {
    for (const RouteRequest& r : requests) found = table.match(r);
  }
  EXPECT_EQ(allocation_count() - before, 0u);
  EXPECT_EQ(found, &vhosts[2].routes[0]);
  EXPECT_EQ(table.match(requests[0]), &vhosts[1].routes[0]);
  EXPECT_EQ(table.match(requests[1]), &vhosts[1].routes[1]);
}

// A large table: every path kind filed in the path index, regexes with distinct literal
// prefixes, and a group of regexes on one prefix (searched through RE2::Set filters), many
// virtual hosts picked by exact and wildcard domains.
TEST(RouteTableAllocations, IndexedTableAllocatesNothing) {
  std::vector<conf::VirtualHost> vhosts;
  for (int v = 0; v < 100; ++v) {
    const std::string n = std::to_string(v);
    std::vector<conf::Route> routes;
    for (int i = 0; i < 40; ++i) {
      const std::string k = std::to_string(i);
      routes.push_back(prefix("/p" + k + "/"));
      routes.push_back(path_prefix("/pp" + k));
      routes.push_back(exact("/e/" + k));
      routes.push_back(regex("/r" + k + "/[0-9]+"));
      routes.push_back(regex("/(g|h)/" + k + "/[a-z]+"));  // literal prefix "/": one group
    }
    conf::Route with_header = prefix("/h/");
    with_header.headers.push_back({"x-tenant", conf::MatchKind::exact, "t" + n, false});
    routes.push_back(with_header);
    routes.push_back(prefix("/", "last"));
    vhosts.push_back(vhost("v" + n,
                           {"v" + n + ".example.com", "*.w" + n + ".example.net", "p" + n + ".*"},
                           std::move(routes)));
  }
  vhosts.push_back(vhost("default", {"*"}, {prefix("/")}));
  RouteTable table(vhosts);
  HeaderMap headers;
  headers.add("X-Tenant", "t7");
  const RouteRequest requests[] = {
      request("/p3/x", "", "GET", &headers, "v7.example.com"),
      request("/pp39", "", "GET", &headers, "a.w7.example.net:80"),
      request("/e/20", "", "GET", &headers, "P7.example.org"),
      request("/r11/42", "", "GET", &headers, "v7.example.com"),
      request("/h/39/abc", "", "GET", &headers, "v7.example.com"),
      request("/g/39/abc", "", "GET", &headers, "v7.example.com"),
      request("/h/x", "", "GET", &headers, "v7.example.com"),
      request("/nothing", "", "GET", &headers, "v99.example.com"),
      request("/", "", "GET", nullptr, "unknown"),
  };
  for (const RouteRequest& r : requests) table.match(r);  // warms RE2's DFA caches
  std::size_t before = allocation_count();
  for (int i = 0; i < 100; ++i) {
    for (const RouteRequest& r : requests) table.match(r);
  }
  EXPECT_EQ(allocation_count() - before, 0u);
  EXPECT_EQ(table.match(requests[4]), &vhosts[7].routes[39 * 5 + 4]);
  EXPECT_EQ(table.match(requests[5]), &vhosts[7].routes[39 * 5 + 4]);
  EXPECT_EQ(table.match(requests[6]), &vhosts[7].routes[200]);
  EXPECT_EQ(table.match(requests[7])->name, "last");
}

}  // namespace
}  // namespace ringress::http
