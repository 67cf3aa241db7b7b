// Reading what the proxy writes while it runs: access log lines (appended by another process,
// so a test waits for them with a bound) and the counters in its exit summary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/net.h"

namespace ringress::test {

// The complete lines of `text` (a last line without its newline is left out: still being
// written).
std::vector<std::string> complete_lines(std::string_view text);
// The complete lines of the file at `path` once it has at least `n`, or the lines it has at the
// deadline.
std::vector<std::string> wait_for_lines(const std::string& path, size_t n, Deadline deadline);
// The number written just before `label` in `text` ("12 stale-connection retries"), the last
// such number if `label` occurs more than once; nullopt if none.
std::optional<uint64_t> count_before(std::string_view text, std::string_view label);

}  // namespace ringress::test
