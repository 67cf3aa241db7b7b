// Clock: a per-thread cached monotonic time, refreshed once per reactor loop iteration, so the
// request path reads time without a call into the kernel or vDSO per use.
#pragma once

#include <chrono>

namespace ringress::core {

using TimePoint = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;
constexpr TimePoint kNoDeadline = TimePoint::max();

class Clock {
 public:
  static TimePoint now() { return cached_; }
  // Wall-clock time of the same instant (for logs and access logs).
  static std::chrono::system_clock::time_point wall() { return wall_; }
  static void refresh() {
    cached_ = std::chrono::steady_clock::now();
    wall_ = std::chrono::system_clock::now();
  }

 private:
  static inline thread_local TimePoint cached_ = std::chrono::steady_clock::now();
  static inline thread_local std::chrono::system_clock::time_point wall_ =
      std::chrono::system_clock::now();
};

// now + d, saturating (so a huge timeout never wraps into the past).
inline TimePoint deadline_after(Duration d) {
  TimePoint now = Clock::now();
  if (d >= kNoDeadline - now) return kNoDeadline;
  return now + d;
}

}  // namespace ringress::core
