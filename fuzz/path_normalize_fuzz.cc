// libFuzzer entry of the path_normalize target (fuzz/path_normalize.cc says what it checks).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ringress::fuzz::path_normalize(data, size);
  return 0;
}
