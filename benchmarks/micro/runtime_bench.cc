// Micro-benchmarks of the coroutine runtime: what one Task costs (frame from the pool, start by
// symmetric transfer, co_return, destroy) and what one reactor loop iteration costs. All run
// inside Reactor::run, as request code does. Loopback socket benchmarks: socket_bench.cc.
#include <benchmark/benchmark.h>

#include "benchmarks/micro/bench_counters.h"
#include "core/io_op.h"
#include "core/reactor.h"
#include "core/task.h"

namespace ringress::bench {
namespace {

using core::Reactor;
using core::Task;

Task<int> leaf(int x) { co_return x + 1; }

// A chain of `depth` nested tasks: each level is one task created, started and finished.
Task<int> nested(int depth, int x) {
  if (depth <= 1) co_return co_await leaf(x);
  co_return 1 + co_await nested(depth - 1, x);
}

// One child task per iteration, awaited from the parent: the per-task cost.
Task<void> await_children(benchmark::State& state) {
  int sum = 0;
  AllocProbe probe;
  for (auto _ : state) {
    sum = co_await leaf(sum);
    benchmark::DoNotOptimize(sum);
  }
  probe.report(state);
}

void BM_TaskCreateAwait(benchmark::State& state) {
  Reactor reactor;
  reactor.run(await_children(state));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TaskCreateAwait);

Task<void> await_chains(benchmark::State& state, int depth) {
  int sum = 0;
  AllocProbe probe;
  for (auto _ : state) {
    sum = co_await nested(depth, sum);
    benchmark::DoNotOptimize(sum);
  }
  probe.report(state);
}

// items_per_second counts tasks, so 1e9 / items_per_second is ns per task in a deep chain.
void BM_TaskChain(benchmark::State& state) {
  Reactor reactor;
  const int depth = static_cast<int>(state.range(0));
  reactor.run(await_chains(state, depth));
  state.SetItemsProcessed(state.iterations() * depth);
}
BENCHMARK(BM_TaskChain)->Arg(4)->Arg(64);

// One suspension through the reactor's ready list per iteration (post, then resume). Note that
// run_ready() drains the ready list until it is empty before it reaps CQEs, so this never enters
// the kernel: it is the cost of a wake-up between coroutines, not of a loop turn.
Task<void> yield_loop(benchmark::State& state) {
  AllocProbe probe;
  for (auto _ : state) co_await core::Yield{};
  probe.report(state);
}

void BM_ReadyListPostResume(benchmark::State& state) {
  Reactor reactor;
  reactor.run(yield_loop(state));
}
BENCHMARK(BM_ReadyListPostResume);

// One IORING_OP_NOP per iteration: the floor under every I/O operation (fill an SQE, one
// io_uring_enter to submit and wait, reap the CQE, resume the awaiting coroutine).
Task<void> nop_loop(benchmark::State& state) {
  AllocProbe probe;
  for (auto _ : state) {
    int rc = co_await core::io_op([](io_uring_sqe* s) { io_uring_prep_nop(s); });
    benchmark::DoNotOptimize(rc);
  }
  probe.report(state);
}

void BM_IoOpNop(benchmark::State& state) {
  Reactor reactor;
  reactor.run(nop_loop(state));
}
BENCHMARK(BM_IoOpNop);

}  // namespace
}  // namespace ringress::bench

BENCHMARK_MAIN();
