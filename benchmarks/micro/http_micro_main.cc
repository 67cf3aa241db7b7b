// http_micro_bench: micro-benchmarks of the HTTP layers (codec_bench.cc, router_bench.cc,
// lb_bench.cc). See benchmarks/README.md.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
