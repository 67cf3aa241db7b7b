// Counts calls to the global operator new in this test binary (alloc_counter.cc replaces it).
#pragma once

#include <cstddef>

namespace ringress::http::router_test {

std::size_t allocation_count();

}  // namespace ringress::http::router_test
