// libFuzzer entry of the proxy_headers target (fuzz/proxy_headers.cc says what it checks).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ringress::fuzz::proxy_headers(data, size);
  return 0;
}
