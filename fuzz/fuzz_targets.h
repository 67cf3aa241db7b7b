// The fuzz targets' entry functions. Each takes one input of any bytes, runs it through a part of
// ringress and aborts (with a message on stderr) when an invariant breaks; sanitizers catch the
// rest. libFuzzer calls them from fuzz/<name>_fuzz.cc, tests/fuzz_regressions replays the files
// of fuzz/corpus/<name>/ and fuzz/regressions/<name>/ through the same functions. docs/fuzzing.md
// says what each target checks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringress::fuzz {

using Entry = void (*)(const uint8_t* data, std::size_t size);

void request_parser(const uint8_t* data, std::size_t size);
void response_parser(const uint8_t* data, std::size_t size);
void chunk_framing(const uint8_t* data, std::size_t size);
void proxy_headers(const uint8_t* data, std::size_t size);
void config_loader(const uint8_t* data, std::size_t size);
void router(const uint8_t* data, std::size_t size);
void client_hello(const uint8_t* data, std::size_t size);
void path_normalize(const uint8_t* data, std::size_t size);

struct Target {
  const char* name;  // the fuzzer is <name>_fuzz; its files are fuzz/{corpus,regressions}/<name>/
  Entry entry;
};

inline constexpr Target kTargets[] = {
    {"request_parser", request_parser}, {"response_parser", response_parser},
    {"chunk_framing", chunk_framing},   {"proxy_headers", proxy_headers},
    {"config_loader", config_loader},   {"router", router},
    {"client_hello", client_hello},     {"path_normalize", path_normalize},
};

}  // namespace ringress::fuzz
