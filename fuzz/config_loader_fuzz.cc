// libFuzzer entry of the config_loader target (fuzz/config_loader.cc says what it checks).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ringress::fuzz::config_loader(data, size);
  return 0;
}
