// Knobs that let slow builds (sanitizers, debug) run the same tests: RINGRESS_TEST_SCALE
// multiplies transfer sizes (default 1), and the time factor stretches the generous overall
// bounds (watchdogs, whole-transfer deadlines), never the bounds that define correct behaviour.
#pragma once

#include <chrono>
#include <cstdint>

namespace ringress::test {

// RINGRESS_TEST_SCALE, a positive number; 1 when unset or invalid.
double test_scale();
// `bytes` times test_scale(), at least 1.
uint64_t scaled_bytes(uint64_t bytes);
// 4 under AddressSanitizer, else 1; RINGRESS_TEST_TIME_FACTOR overrides.
double time_factor();
// True in an AddressSanitizer build: resident memory then says nothing about leaks (shadow
// memory, and freed blocks held in quarantine), so memory bounds are not checked.
bool sanitized_build();
std::chrono::milliseconds stretched(std::chrono::milliseconds bound);

}  // namespace ringress::test
