// libFuzzer entry of the client_hello target (fuzz/client_hello.cc says what it checks).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ringress::fuzz::client_hello(data, size);
  return 0;
}
