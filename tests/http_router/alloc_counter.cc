// A separate file, so the compiler never sees a replaced operator new inlined next to its users.
#include "tests/http_router/alloc_counter.h"

#include <cstdlib>
#include <new>

namespace {
std::size_t g_allocations = 0;
}

namespace ringress::http::router_test {
std::size_t allocation_count() { return g_allocations; }
}  // namespace ringress::http::router_test

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
