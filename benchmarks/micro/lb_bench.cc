// Load balancing: one RoundRobin::pick over H hosts (equal and mixed weights), and one
// ConnectionPool take_idle + release round trip of a kept-alive upstream connection (what a
// request that reuses a pooled connection pays to the pool: unhook the close listener and the
// idle timer, then hook them again). The pooled connections are real loopback TCP connections,
// since an idle connection keeps a multishot receive armed on its socket.
#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "benchmarks/micro/bench_counters.h"
#include "conf/config.h"
#include "core/buffer_pool.h"
#include "core/io_op.h"
#include "core/reactor.h"
#include "core/socket.h"
#include "core/task.h"
#include "lb/connection_pool.h"
#include "lb/round_robin.h"

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
    h.name = "10.0.0." + std::to_string(i + 1) + ":80";
    h.address_text = h.name;
    hosts.push_back(std::move(h));
  }
  return hosts;
}

void BM_RoundRobinPick(benchmark::State& state) {
  lb::RoundRobin rr(make_hosts(static_cast<int>(state.range(0)), state.range(1) != 0));
  AllocProbe probe;
  for (auto _ : state) benchmark::DoNotOptimize(rr.pick());
  probe.report(state);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RoundRobinPick)
    ->ArgNames({"hosts", "weighted"})
    ->ArgsProduct({{1, 4, 16, 64}, {0, 1}});

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
