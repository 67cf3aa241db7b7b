// Per-thread free lists for coroutine frames, by 64-byte size class: a Task's frame is taken
// from and returned to the calling thread's pool, so steady-state request handling does not
// reach malloc. Frames are created and destroyed on their worker's thread (thread-per-core).
// What a burst left behind goes back: frame_pool_trim() ends a period (the buffer pool's trim
// period) and frees the frames that stayed cached during all of it.
// Under AddressSanitizer the pool steps aside so that a use of a freed frame is reported.
#pragma once

#include <cstddef>

namespace ringress::core {

void* frame_alloc(std::size_t size);
void frame_free(void* p, std::size_t size) noexcept;

// Ends a trim period on this thread: frees the frames that no frame_alloc() took since the
// previous call (per size class, the fewest cached during the period); returns their bytes.
std::size_t frame_pool_trim();
// Frames cached on this thread now.
std::size_t frame_pool_cached();

// Frames allocated from the pools since start (all threads); for allocation benchmarks.
std::size_t frame_pool_misses();

}  // namespace ringress::core
