// libFuzzer entry of the request_parser target (fuzz/request_parser.cc says what it checks).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ringress::fuzz::request_parser(data, size);
  return 0;
}
