// Counts the heap allocations made through global operator new in this process, so a benchmark
// can show how many allocations one iteration costs (the hot-path rule is: none in steady state).
// alloc_counter.cc replaces the global operator new/delete to do the counting.
#pragma once

#include <cstdint>

namespace ringress::bench {

// Allocations (operator new / new[]) since start, all threads.
uint64_t heap_allocations();

}  // namespace ringress::bench
