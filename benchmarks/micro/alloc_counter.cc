// Replacement global operator new/delete that count allocations (relaxed atomic: the count is
// read only between benchmark runs). Aligned variants keep their default implementation.
#include "benchmarks/micro/alloc_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace ringress::bench {
namespace {
std::atomic<uint64_t> g_allocations{0};

void* counted_alloc(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

uint64_t heap_allocations() { return g_allocations.load(std::memory_order_relaxed); }

}  // namespace ringress::bench

void* operator new(std::size_t size) {
  if (void* p = ringress::bench::counted_alloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = ringress::bench::counted_alloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return ringress::bench::counted_alloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return ringress::bench::counted_alloc(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
