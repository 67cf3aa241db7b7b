#include "fuzz/fuzz_slices.h"

#include <sanitizer/asan_interface.h>

#include <cstdlib>
#include <cstring>

#include "core/reactor.h"

namespace ringress::fuzz {
namespace {

// The data starts this far into its buffer, so bytes before it exist (poisoned) too.
constexpr std::size_t kLeadingGap = 64;
constexpr uint32_t kBufferSize = kMaxSlice + 2 * kLeadingGap;
constexpr uint32_t kBufferCount = 512;  // more than the inputs of a run hold at once

class SlicePool {
 public:
  SlicePool() : pool_(reactor_, kBufferSize, kBufferCount) {}

  core::BufferSlice make(std::string_view bytes) {
    if (bytes.empty()) return {};
    if (bytes.size() > kMaxSlice) bytes = bytes.substr(0, kMaxSlice);
    uint16_t bid = 0;
    if (!pool_.acquire(bid)) std::abort();  // a target holds more slices than kMaxSlices allows
    char* buffer = pool_.writable(bid);
    ASAN_UNPOISON_MEMORY_REGION(buffer, kBufferSize);
    std::memcpy(buffer + kLeadingGap, bytes.data(), bytes.size());
    ASAN_POISON_MEMORY_REGION(buffer, kLeadingGap);
    ASAN_POISON_MEMORY_REGION(buffer + kLeadingGap + bytes.size(),
                              kBufferSize - kLeadingGap - bytes.size());
    return pool_.adopt(bid, uint32_t(kLeadingGap + bytes.size()))
        .sub(kLeadingGap, uint32_t(bytes.size()));
  }

 private:
  core::Reactor reactor_;
  core::BufferPool pool_;
};

SlicePool& pool() {
  static SlicePool* p = new SlicePool;  // never destroyed: slices may outlive static destructors
  return *p;
}

}  // namespace

core::BufferSlice make_slice(std::string_view bytes) { return pool().make(bytes); }

std::vector<core::BufferSlice> make_slices(std::string_view bytes, std::string_view cuts) {
  std::vector<core::BufferSlice> out;
  if (bytes.size() > kMaxSlice) bytes = bytes.substr(0, kMaxSlice);
  std::size_t next_cut = 0;
  while (!bytes.empty() || out.empty()) {
    std::size_t n = bytes.size();
    if (!cuts.empty() && out.size() + 1 < kMaxSlices) {
      n = std::size_t(static_cast<uint8_t>(cuts[next_cut])) + 1;
      next_cut = (next_cut + 1) % cuts.size();
      if (n > bytes.size()) n = bytes.size();
    }
    out.push_back(make_slice(bytes.substr(0, n)));
    bytes.remove_prefix(n);
  }
  return out;
}

}  // namespace ringress::fuzz
