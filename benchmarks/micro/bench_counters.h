// AllocProbe: snapshots the frame-pool miss count and the heap allocation count before a
// benchmark's timed loop, and reports both per iteration afterwards. A steady-state hot path
// shows 0 for both (a handful of first-iteration misses average out to ~0).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

#include "benchmarks/micro/alloc_counter.h"
#include "core/frame_pool.h"

namespace ringress::bench {

class AllocProbe {
 public:
  AllocProbe() : frames_(core::frame_pool_misses()), heap_(heap_allocations()) {}

  void report(benchmark::State& state) const {
    using benchmark::Counter;
    state.counters["frame_miss/iter"] =
        Counter(double(core::frame_pool_misses() - frames_), Counter::kAvgIterations);
    state.counters["heap_alloc/iter"] =
        Counter(double(heap_allocations() - heap_), Counter::kAvgIterations);
  }

 private:
  std::size_t frames_;
  uint64_t heap_;
};

}  // namespace ringress::bench
