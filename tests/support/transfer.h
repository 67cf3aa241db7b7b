// Whole-connection transfers of Pattern streams, used by both the test clients and the test
// upstream servers: a full-duplex exchange, a sink that verifies until EOF, and a source that
// writes as fast as the peer lets it for as long as asked (to find out where backpressure holds).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "tests/support/net.h"

namespace ringress::test {

// What one side of a pattern transfer saw.
struct TransferResult {
  uint64_t sent = 0;
  uint64_t received = 0;
  std::optional<uint64_t> mismatch;  // offset of the first received byte that was wrong
  IoResult end;                      // how receiving ended: kEof when the peer closed cleanly
  bool send_failed = false;          // a send hit an error (reset, timeout) before all was sent

  std::string describe() const;
};

// Sends `send_bytes` of Pattern(send_seed), then shuts down the write side; at the same time
// receives and verifies Pattern(recv_seed) until EOF. One thread, driven by poll.
TransferResult exchange_patterns(int fd, uint64_t send_bytes, uint64_t send_seed,
                                 uint64_t recv_seed, Deadline deadline);

// Receives and verifies Pattern(seed) until EOF, reset or the deadline.
TransferResult sink_pattern(int fd, uint64_t seed, Deadline deadline);

// Writes Pattern(seed) as fast as `fd` accepts it while `keep_going()` is true (checked at
// least every 10 ms; a blocked socket just waits). Returns the exact number of bytes the
// kernel accepted, which is the prefix of the stream the peer must eventually see.
TransferResult source_pattern_while(int fd, uint64_t seed, const std::function<bool()>& keep_going,
                                    Deadline deadline);

}  // namespace ringress::test
