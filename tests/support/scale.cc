#include "tests/support/scale.h"

#include <algorithm>
#include <cstdlib>

namespace ringress::test {

namespace {

double positive_env(const char* name, double fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  double value = std::strtod(text, &end);
  return (*end == '\0' && value > 0) ? value : fallback;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif
constexpr double kDefaultTimeFactor = kSanitized ? 4 : 1;

}  // namespace

double test_scale() { return positive_env("RINGRESS_TEST_SCALE", 1); }

uint64_t scaled_bytes(uint64_t bytes) {
  return std::max<uint64_t>(1, static_cast<uint64_t>(static_cast<double>(bytes) * test_scale()));
}

double time_factor() { return positive_env("RINGRESS_TEST_TIME_FACTOR", kDefaultTimeFactor); }

bool sanitized_build() { return kSanitized; }

std::chrono::milliseconds stretched(std::chrono::milliseconds bound) {
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(bound.count()) * time_factor()));
}

}  // namespace ringress::test
