// FUZZ_CHECK: the invariant checks of the fuzz targets. A broken one prints what differed and
// aborts, which libFuzzer reports as a crash (saving the input) and a regression test as a death.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace ringress::fuzz {

[[noreturn]] inline void check_failed(const char* file, int line, const char* condition,
                                      const std::string& detail) {
  std::fprintf(stderr, "\n%s:%d: fuzz check failed: %s\n%s\n", file, line, condition,
               detail.c_str());
  std::abort();
}

}  // namespace ringress::fuzz

// `detail` is evaluated only on failure (any expression convertible to std::string).
#define FUZZ_CHECK(condition, detail)                                                      \
  do {                                                                                     \
    if (!(condition))                                                                      \
      ::ringress::fuzz::check_failed(__FILE__, __LINE__, #condition, std::string(detail)); \
  } while (0)
