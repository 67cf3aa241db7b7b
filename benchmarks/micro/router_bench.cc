// Router: RouteTable::match against one virtual host of N routes (N = 10, 1 000, 10 000), a
// quarter each of prefix, exact, regex and prefix + header-matcher routes, in that rotation.
// The request matches the first route, the one in the middle, the last one, or none (404), so
// the figures show how matching scales with the position of the route in the table.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "benchmarks/micro/bench_counters.h"
#include "conf/http_config.h"
#include "http/header_map.h"
#include "http/route_table.h"

namespace ringress::bench {
namespace {

using namespace ringress::http;

conf::Route route_number(int i) {
  conf::Route r;
  r.name = "r" + std::to_string(i);
  r.clusters.push_back({0, 1});
  const std::string n = std::to_string(i);
  switch (i % 4) {
    case 0:
      r.path_match = conf::PathMatch::prefix;
      r.path = "/svc" + n + "/";
      break;
    case 1:
      r.path_match = conf::PathMatch::exact;
      r.path = "/exact/" + n;
      break;
    case 2:
      r.path_match = conf::PathMatch::regex;
      r.path = "/re" + n + "/[0-9]+";
      break;
    default:
      r.path_match = conf::PathMatch::prefix;
      r.path = "/hdr" + n + "/";
      r.headers.push_back({"x-tenant", conf::MatchKind::exact, "t" + n, false});
      break;
  }
  return r;
}

// A path that matches route i (and, for the rotation above, no earlier route).
std::string path_for(int i) {
  const std::string n = std::to_string(i);
  switch (i % 4) {
    case 0:
      return "/svc" + n + "/items";
    case 1:
      return "/exact/" + n;
    case 2:
      return "/re" + n + "/12345";
    default:
      return "/hdr" + n + "/items";
  }
}

struct Table {
  std::vector<conf::VirtualHost> vhosts;
  std::unique_ptr<RouteTable> table;
};

// Built once per size (compiling 2 500 regexes takes a while) and kept for the whole run.
Table& table_of(int routes) {
  static std::vector<std::pair<int, std::unique_ptr<Table>>> tables;
  for (auto& [n, t] : tables)
    if (n == routes) return *t;
  auto t = std::make_unique<Table>();
  conf::VirtualHost vh;
  vh.name = "site";
  vh.domains = {"www.example.com", "*.example.org", "*"};
  for (int i = 0; i < routes; ++i) vh.routes.push_back(route_number(i));
  t->vhosts.push_back(std::move(vh));
  t->table = std::make_unique<RouteTable>(t->vhosts);
  tables.emplace_back(routes, std::move(t));
  return *tables.back().second;
}

enum Position { first, middle, last, none };

void BM_RouteMatch(benchmark::State& state) {
  const int routes = static_cast<int>(state.range(0));
  const auto where = static_cast<Position>(state.range(1));
  Table& t = table_of(routes);
  int target = where == first ? 0 : where == middle ? routes / 2 : routes - 1;
  // The header route needs its header; make the target a header route for middle/last so the
  // header matcher runs on every header route before it as well.
  const std::string path = where == none ? "/nothing/here" : path_for(target);
  const std::string tenant = "t" + std::to_string(target);
  HeaderMap headers;
  headers.add("Host", "www.example.com");
  headers.add("User-Agent", "bench");
  headers.add("X-Tenant", tenant);
  RouteRequest req{"www.example.com", "GET", path, "", &headers};
  const conf::Route* expected = where == none ? nullptr : &t.vhosts[0].routes[target];
  if (t.table->match(req) != expected) {
    state.SkipWithError("wrong route");
    return;
  }
  AllocProbe probe;
  for (auto _ : state) {
    const conf::Route* r = t.table->match(req);
    benchmark::DoNotOptimize(r);
  }
  probe.report(state);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RouteMatch)
    ->ArgNames({"routes", "pos"})
    ->ArgsProduct({{10, 1000, 10000}, {first, middle, last, none}});

}  // namespace
}  // namespace ringress::bench
