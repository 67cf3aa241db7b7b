// Per-thread free lists for coroutine frames, by 64-byte size class: a Task's frame is taken
// from and returned to the calling thread's pool, so steady-state request handling does not
// reach malloc. Frames are created and destroyed on their worker's thread (thread-per-core).
// Under AddressSanitizer the pool steps aside so that a use of a freed frame is reported.
#pragma once

#include <cstddef>

namespace ringress::core {

void* frame_alloc(std::size_t size);
void frame_free(void* p, std::size_t size) noexcept;

// Frames allocated from the pools since start (all threads); for allocation benchmarks.
std::size_t frame_pool_misses();

}  // namespace ringress::core
