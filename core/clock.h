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
  // Wall-clock time of the same instant (for access logs): the steady time plus the offset
  // between the two clocks taken when the thread started, so a refresh reads one clock only.
  static std::chrono::system_clock::time_point wall() {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(cached_.time_since_epoch() +
                                                                        wall_offset_));
  }
  static void refresh() { cached_ = std::chrono::steady_clock::now(); }

 private:
  static inline thread_local TimePoint cached_ = std::chrono::steady_clock::now();
  static inline thread_local Duration wall_offset_ =
      std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch()) -
      std::chrono::steady_clock::now().time_since_epoch();
};

// now + d, saturating (so a huge timeout never wraps into the past).
inline TimePoint deadline_after(Duration d) {
  TimePoint now = Clock::now();
  if (d >= kNoDeadline - now) return kNoDeadline;
  return now + d;
}

}  // namespace ringress::core
