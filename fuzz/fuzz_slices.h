// Receive buffers for the parser targets: BufferSlices filled from fuzz input, as the kernel
// would fill them. One pool per process (a thread has at most one Reactor). Under AddressSanitizer
// the bytes of a buffer around a slice are poisoned, so a parser that reads one byte before or
// after its input crashes at once instead of reading the neighbour's bytes.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/buffer_pool.h"

namespace ringress::fuzz {

// Largest slice make_slice() gives (longer input is cut), and most slices make_slices() gives.
inline constexpr std::size_t kMaxSlice = 64 * 1024;
inline constexpr std::size_t kMaxSlices = 128;

// A slice holding a copy of `bytes` (at most kMaxSlice of them; empty: a slice of no buffer).
// A target may hold up to three sets of make_slices() at once.
core::BufferSlice make_slice(std::string_view bytes);

// `bytes` cut into slices: the lengths come from `cuts` in turn (length = byte + 1, repeating);
// no cuts: one slice; the last slice takes the rest when kMaxSlices are reached.
std::vector<core::BufferSlice> make_slices(std::string_view bytes, std::string_view cuts);

}  // namespace ringress::fuzz
