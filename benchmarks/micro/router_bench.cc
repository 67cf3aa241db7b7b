// Router: RouteTable::match against one virtual host of N routes (N = 10, 1 000, 10 000).
//
// - BM_RouteMatch: a quarter each of prefix, exact, regex and prefix + header-matcher routes,
//   in that rotation.
// - BM_RouteMatchNoRegex: the same rotation with path_prefix routes in place of the regex ones.
// - BM_RouteMatchRegexShared: every route a regex, all behind one short literal prefix ("/v"),
//   so that they cannot be told apart by prefix and one group of regexes is searched.
//
// The request matches the first route, the one in the middle, the last one, or none (404), so
// the figures show how matching scales with the position of the route in the table.
//
// BM_VirtualHostMatch: picking one of H virtual hosts (a third each exact, "*.suffix" and
// "prefix.*" domains, plus "*") by a Host that hits an exact domain, a suffix wildcard, a prefix
// wildcard or only "*"; each host has one route, so this is the whole match() of a request.
#include <benchmark/benchmark.h>
#include <malloc.h>

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

enum class Mix { standard, no_regex, regex_shared };

conf::Route route_number(int i, Mix mix) {
  conf::Route r;
  r.name = "r" + std::to_string(i);
  r.clusters.push_back({0, 1});
  const std::string n = std::to_string(i);
  if (mix == Mix::regex_shared) {
    r.path_match = conf::PathMatch::regex;
    r.path = "/v[12]/re" + n + "/[0-9]+";
    return r;
  }
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
      if (mix == Mix::no_regex) {
        r.path_match = conf::PathMatch::path_prefix;
        r.path = "/pp" + n;
      } else {
        r.path_match = conf::PathMatch::regex;
        r.path = "/re" + n + "/[0-9]+";
      }
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
std::string path_for(int i, Mix mix) {
  const std::string n = std::to_string(i);
  if (mix == Mix::regex_shared) return "/v2/re" + n + "/12345";
  switch (i % 4) {
    case 0:
      return "/svc" + n + "/items";
    case 1:
      return "/exact/" + n;
    case 2:
      return mix == Mix::no_regex ? "/pp" + n + "/items" : "/re" + n + "/12345";
    default:
      return "/hdr" + n + "/items";
  }
}

struct Table {
  std::vector<conf::VirtualHost> vhosts;
  std::unique_ptr<RouteTable> table;
};

// Built once per size and mix (compiling thousands of regexes takes a while) and kept for the
// whole run.
Table& table_of(int routes, Mix mix) {
  static std::vector<std::pair<std::pair<int, Mix>, std::unique_ptr<Table>>> tables;
  for (auto& [key, t] : tables)
    if (key == std::pair{routes, mix}) return *t;
  auto t = std::make_unique<Table>();
  conf::VirtualHost vh;
  vh.name = "site";
  vh.domains = {"www.example.com", "*.example.org", "*"};
  for (int i = 0; i < routes; ++i) vh.routes.push_back(route_number(i, mix));
  t->vhosts.push_back(std::move(vh));
  t->table = std::make_unique<RouteTable>(t->vhosts);
  tables.emplace_back(std::pair{routes, mix}, std::move(t));
  return *tables.back().second;
}

enum Position { first, middle, last, none };

void run_route_match(benchmark::State& state, Mix mix) {
  const int routes = static_cast<int>(state.range(0));
  const auto where = static_cast<Position>(state.range(1));
  Table& t = table_of(routes, mix);
  int target = where == first ? 0 : where == middle ? routes / 2 : routes - 1;
  // The header route needs its header; make the target a header route for middle/last so the
  // header matcher runs on every header route before it as well.
  const std::string path = where == none ? "/nothing/here" : path_for(target, mix);
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

void BM_RouteMatch(benchmark::State& state) { run_route_match(state, Mix::standard); }
void BM_RouteMatchNoRegex(benchmark::State& state) { run_route_match(state, Mix::no_regex); }
void BM_RouteMatchRegexShared(benchmark::State& state) {
  run_route_match(state, Mix::regex_shared);
}
BENCHMARK(BM_RouteMatch)
    ->ArgNames({"routes", "pos"})
    ->ArgsProduct({{10, 1000, 10000}, {first, middle, last, none}});
BENCHMARK(BM_RouteMatchNoRegex)
    ->ArgNames({"routes", "pos"})
    ->ArgsProduct({{10, 1000, 10000}, {first, middle, last, none}});
BENCHMARK(BM_RouteMatchRegexShared)
    ->ArgNames({"routes", "pos"})
    ->ArgsProduct({{10, 1000, 10000}, {first, middle, last, none}});

// Compiling a table of N routes of a mix: what a config load or reload costs the router (each
// worker builds its own table). table_MiB: the heap the table holds once built (before any
// request has grown RE2's lazily built automata).
void BM_RouteTableBuild(benchmark::State& state) {
  const int routes = static_cast<int>(state.range(0));
  const auto mix = static_cast<Mix>(state.range(1));
  std::vector<conf::VirtualHost> vhosts(1);
  vhosts[0].name = "site";
  vhosts[0].domains = {"*"};
  for (int i = 0; i < routes; ++i) vhosts[0].routes.push_back(route_number(i, mix));
  std::size_t heap = 0;
  for (auto _ : state) {
    std::size_t before = mallinfo2().uordblks;
    RouteTable table(vhosts);
    heap = mallinfo2().uordblks - before;
    benchmark::DoNotOptimize(&table);
  }
  state.counters["table_MiB"] = double(heap) / (1 << 20);
}
BENCHMARK(BM_RouteTableBuild)
    ->ArgNames({"routes", "mix"})
    ->ArgsProduct({{10000}, {int(Mix::standard), int(Mix::no_regex), int(Mix::regex_shared)}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// Virtual host i has the domain "tenant<i>.example.com" (i % 3 == 0), "*.tenant<i>.example.net"
// (i % 3 == 1) or "tenant<i>.*" (i % 3 == 2); the last host is "*".
enum HostKind { exact_host, suffix_host, prefix_host, any_host };

struct Hosts {
  std::vector<conf::VirtualHost> vhosts;
  std::unique_ptr<RouteTable> table;
};

Hosts& hosts_of(int count) {
  static std::vector<std::pair<int, std::unique_ptr<Hosts>>> all;
  for (auto& [n, h] : all)
    if (n == count) return *h;
  auto h = std::make_unique<Hosts>();
  for (int i = 0; i < count; ++i) {
    conf::VirtualHost vh;
    vh.name = "vh" + std::to_string(i);
    const std::string n = std::to_string(i);
    vh.domains = {i == count - 1 ? std::string("*")
                  : i % 3 == 0   ? "tenant" + n + ".example.com"
                  : i % 3 == 1   ? "*.tenant" + n + ".example.net"
                                 : "tenant" + n + ".*"};
    conf::Route r;
    r.clusters.push_back({0, 1});
    vh.routes.push_back(std::move(r));
    h->vhosts.push_back(std::move(vh));
  }
  h->table = std::make_unique<RouteTable>(h->vhosts);
  all.emplace_back(count, std::move(h));
  return *all.back().second;
}

void BM_VirtualHostMatch(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const auto kind = static_cast<HostKind>(state.range(1));
  Hosts& h = hosts_of(count);
  // A host near the end of the list, of the kind asked for.
  int target = count - 1;
  if (kind != any_host) {
    target = count - 2;
    while (target % 3 != static_cast<int>(kind)) --target;
  }
  const std::string n = std::to_string(target);
  const std::string host = kind == exact_host    ? "Tenant" + n + ".example.com:8080"
                           : kind == suffix_host ? "www.eu.tenant" + n + ".example.net"
                           : kind == prefix_host ? "tenant" + n + ".example.io"
                                                 : "unknown.example.com";
  RouteRequest req{host, "GET", "/index.html", "", nullptr};
  const conf::VirtualHost* vh = nullptr;
  if (h.table->match(req, &vh) == nullptr || vh != &h.vhosts[target]) {
    state.SkipWithError("wrong virtual host");
    return;
  }
  AllocProbe probe;
  for (auto _ : state) {
    const conf::Route* r = h.table->match(req, &vh);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(vh);
  }
  probe.report(state);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VirtualHostMatch)
    ->ArgNames({"hosts", "kind"})
    ->ArgsProduct({{10, 10000}, {exact_host, suffix_host, prefix_host, any_host}});

}  // namespace
}  // namespace ringress::bench
