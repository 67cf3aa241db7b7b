// Load balancing: one pick of every policy over 10, 100 and 1000 hosts (equal and mixed
// weights; the hash policies with a hash key per pick), a retry pick that must avoid the host
// tried first, the build of the shared ring_hash and maglev tables (the control thread's cost
// per host set), a request's hash key from a header; and one ConnectionPool take_idle + release
// round trip of a kept-alive upstream connection (what a request that reuses a pooled
// connection pays to the pool: unhook the close listener and the idle timer, then hook them
// again). The pooled connections are real loopback TCP connections, since an idle connection
// keeps a multishot receive armed on its socket.
#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "benchmarks/micro/bench_counters.h"
#include "conf/config.h"
#include "core/arena.h"
#include "core/buffer_pool.h"
#include "core/io_op.h"
#include "core/reactor.h"
#include "core/socket.h"
#include "core/task.h"
#include "http/hash_key.h"
#include "lb/connection_pool.h"
#include "lb/hash.h"
#include "lb/hosts.h"
#include "lb/policy_factory.h"

namespace ringress::bench {
namespace {

core::SocketAddress loopback(uint16_t port) {
  return *core::SocketAddress::parse_numeric("127.0.0.1:" + std::to_string(port));
}

std::vector<lb::Host> make_hosts(int count, bool mixed_weights) {
  std::vector<lb::Host> hosts;
  for (int i = 0; i < count; ++i) {
    lb::Host h;
    h.address = loopback(static_cast<uint16_t>(9000 + i));
    h.weight = mixed_weights ? static_cast<uint32_t>(1 + i % 5) : 1;
    h.name = "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + ":80";
    h.address_text = h.name;
    hosts.push_back(std::move(h));
  }
  return hosts;
}

constexpr conf::LbPolicy kPolicies[] = {conf::LbPolicy::round_robin, conf::LbPolicy::least_request,
                                        conf::LbPolicy::random, conf::LbPolicy::ring_hash,
                                        conf::LbPolicy::maglev};

// A policy over `count` hosts; its hosts, view and counters live as long as it does.
struct Balancer {
  Balancer(conf::LbPolicy policy, int count, bool mixed_weights)
      : hosts(make_hosts(count, mixed_weights)),
        view(lb::lb_hosts(hosts)),
        active(hosts.size(), 0) {
    settings.policy = policy;
    lb = lb::make_load_balancer(settings, view, lb::build_lb_tables(settings, view), active, 1);
  }
  conf::LbSettings settings;
  std::vector<lb::Host> hosts;
  std::vector<lb::LbHost> view;
  std::vector<uint32_t> active;
  std::unique_ptr<lb::LoadBalancer> lb;
};

void set_label(benchmark::State& state) {
  state.SetLabel(std::string(conf::lb_policy_name(kPolicies[state.range(0)])));
}

// args: policy (index into kPolicies), hosts, weighted
void BM_Pick(benchmark::State& state) {
  Balancer b(kPolicies[state.range(0)], static_cast<int>(state.range(1)), state.range(2) != 0);
  uint64_t i = 0;
  AllocProbe probe;
  for (auto _ : state) benchmark::DoNotOptimize(b.lb->pick({lb::mix64(++i), {}}));
  probe.report(state);
  set_label(state);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Pick)
    ->ArgNames({"policy", "hosts", "weighted"})
    ->ArgsProduct({{0, 1, 2, 3, 4}, {10, 100, 1000}, {0, 1}});

// A retry: the host of the first pick is tried, the second must differ.
void BM_RetryPick(benchmark::State& state) {
  Balancer b(kPolicies[state.range(0)], static_cast<int>(state.range(1)), true);
  uint64_t i = 0;
  AllocProbe probe;
  for (auto _ : state) {
    uint64_t key = lb::mix64(++i);
    const std::size_t tried[] = {*b.lb->pick({key, {}})};
    benchmark::DoNotOptimize(b.lb->pick({key, tried}));
  }
  probe.report(state);
  set_label(state);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RetryPick)->ArgNames({"policy", "hosts"})->ArgsProduct({{0, 1, 2, 3, 4}, {10, 1000}});

// The shared tables of ring_hash (default ring sizes) and maglev, built once per host set.
void BM_BuildTables(benchmark::State& state) {
  conf::LbSettings settings;
  settings.policy = kPolicies[state.range(0)];
  std::vector<lb::Host> hosts = make_hosts(static_cast<int>(state.range(1)), true);
  std::vector<lb::LbHost> view = lb::lb_hosts(hosts);
  for (auto _ : state) benchmark::DoNotOptimize(lb::build_lb_tables(settings, view));
  set_label(state);
}
BENCHMARK(BM_BuildTables)
    ->ArgNames({"policy", "hosts"})
    ->ArgsProduct({{3, 4}, {10, 100, 1000}})
    ->Unit(benchmark::kMicrosecond);

// request_hash with a header policy after a cookie policy that finds nothing.
void BM_RequestHash(benchmark::State& state) {
  http::RequestHead request;
  request.headers.add("Host", "example.com");
  request.headers.add("User-Agent", "bench/1.0");
  request.headers.add("Cookie", "theme=dark; lang=en");
  request.headers.add("X-User", "user-1234567");
  std::vector<conf::HashPolicy> policies(2);
  policies[0].source = conf::HashSource::cookie;
  policies[0].name = "sid";
  policies[1].source = conf::HashSource::header;
  policies[1].name = "x-user";
  core::Arena arena;
  AllocProbe probe;
  for (auto _ : state)
    benchmark::DoNotOptimize(http::request_hash(policies, request, "10.1.2.3", 1, arena));
  probe.report(state);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequestHash);

// `count` connected loopback TCP pairs: the client ends (for the pool) and the server ends
// (kept open so the pooled connections stay idle, not closed by the peer).
struct Pairs {
  std::vector<int> client, server;
  ~Pairs() {
    for (int fd : server) ::close(fd);
  }
};

bool make_pairs(int count, Pairs& out) {
  int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  bool ok = ::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 && ::listen(l, count) == 0 &&
            ::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  for (int i = 0; ok && i < count; ++i) {
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ok = ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    int s = ok ? ::accept4(l, nullptr, nullptr, SOCK_CLOEXEC) : -1;
    ok = ok && s >= 0;
    out.client.push_back(c);
    if (s >= 0) out.server.push_back(s);
  }
  ::close(l);
  return ok;
}

core::Task<void> take_release(benchmark::State& state, core::BufferPool& buffers) {
  const int idle = static_cast<int>(state.range(0));
  conf::Cluster cluster;
  cluster.name = "bench";
  cluster.pool.max_idle_per_host = 1024;
  Pairs pairs;
  if (!make_pairs(idle, pairs)) {
    for (int fd : pairs.client) ::close(fd);
    state.SkipWithError("loopback connections failed");
    co_return;
  }
  lb::ConnectionPool pool(cluster, make_hosts(1, false), buffers, 65536);
  for (int fd : pairs.client)
    pool.release(std::make_unique<lb::UpstreamConnection>(core::Socket(fd), buffers, 65536, 0),
                 true);
  co_await core::Yield{};  // the idle connections' receives are armed in the kernel
  AllocProbe probe;
  for (auto _ : state) {
    std::unique_ptr<lb::UpstreamConnection> c = pool.take_idle(0);
    if (!c) {
      state.SkipWithError("no idle connection");
      break;
    }
    c->count_request();
    pool.release(std::move(c), true);
  }
  probe.report(state);
  pool.close_idle();
  co_await core::Yield{};  // the closes are submitted before the pairs' server ends go
}

void BM_PoolTakeRelease(benchmark::State& state) {
  core::Reactor reactor;
  core::BufferPool buffers(reactor, 16384, 256);
  reactor.run(take_release(state, buffers));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PoolTakeRelease)->ArgName("idle")->Arg(1)->Arg(64);

}  // namespace
}  // namespace ringress::bench
