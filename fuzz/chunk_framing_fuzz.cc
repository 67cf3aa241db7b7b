// libFuzzer entry of the chunk_framing target (fuzz/chunk_framing.cc says what it checks).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ringress::fuzz::chunk_framing(data, size);
  return 0;
}
