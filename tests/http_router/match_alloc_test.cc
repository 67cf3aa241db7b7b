// match() must not allocate: counts calls to operator new around it.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace ringress::http
