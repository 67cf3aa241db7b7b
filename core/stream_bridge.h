// bridge(): copies bytes both ways between two connected streams until both directions ended.
// A FIN on one side becomes shutdown(SHUT_WR) on the other (half-close); an error on either
// side, or `idle` without a byte either way, ends both. Reads pause while the other side does
// not take data (the RecvQueue watermark), so memory stays bounded. Used by the TCP proxy and by
// HTTP upgrades (WebSocket), which pass the bytes each side already sent as `a_first`/`b_first`.
#pragma once

#include <cstdint>

#include "core/buffer_pool.h"
#include "core/clock.h"
#include "core/stream.h"
#include "core/task.h"

namespace ringress::core {

struct BridgeResult {
  uint64_t a_to_b = 0;
  uint64_t b_to_a = 0;
  bool idle_timeout = false;
  bool reset = false;     // a side failed (reset, write error): both were closed
  bool a_failed = false;  // with reset: the first failure was a read from or a write to a
};

// Cancelling either stream (from outside) ends the bridge.
Task<BridgeResult> bridge(Stream& a, Stream& b, Duration idle, BufferSlice a_first = {},
                          BufferSlice b_first = {});

}  // namespace ringress::core
