// LatencyHistogram: a fixed set of log-spaced buckets (1-2.5-5 per decade, 100 us to 60 s, and
// +Inf) of plain counters. Recording is a few compares and two increments, allocates nothing
// and needs no lock: each worker owns its histograms, and the admin endpoint merges value
// copies of them (add) on read. Every field is a uint64_t, so a struct of counters that sums
// itself as an array of uint64_t (http::HttpStats::add) may hold one.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace ringress::core {

struct LatencyHistogram {
  // Upper bounds in microseconds; a value above the last goes to the +Inf bucket.
  static constexpr std::array<uint64_t, 18> kBoundsUs = {
      100,       250,       500,       1'000,      2'500,      5'000,
      10'000,    25'000,    50'000,    100'000,    250'000,    500'000,
      1'000'000, 2'500'000, 5'000'000, 10'000'000, 30'000'000, 60'000'000};
  static constexpr std::size_t kBuckets = kBoundsUs.size() + 1;

  std::array<uint64_t, kBuckets> counts{};  // per bucket (not cumulative); last = +Inf
  uint64_t count = 0;
  uint64_t sum_us = 0;

  void record_us(uint64_t us) {
    std::size_t i = 0;
    while (i < kBoundsUs.size() && us > kBoundsUs[i]) ++i;
    ++counts[i];
    ++count;
    sum_us += us;
  }
  template <typename Rep, typename Period>
  void record(std::chrono::duration<Rep, Period> d) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    record_us(us < 0 ? 0 : static_cast<uint64_t>(us));
  }
  void add(const LatencyHistogram& o) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts[i] += o.counts[i];
    count += o.count;
    sum_us += o.sum_us;
  }
  // The q-quantile (0 < q <= 1) in microseconds, interpolated linearly inside its bucket (as
  // Prometheus' histogram_quantile does); the +Inf bucket answers its lower bound. 0 when empty.
  double quantile_us(double q) const {
    if (count == 0) return 0;
    const double rank = q * static_cast<double>(count);
    double seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      const double before = seen;
      seen += static_cast<double>(counts[i]);
      if (seen < rank || counts[i] == 0) continue;
      const double lower = i == 0 ? 0 : static_cast<double>(kBoundsUs[i - 1]);
      if (i == kBoundsUs.size()) return lower;
      const double upper = static_cast<double>(kBoundsUs[i]);
      return lower + (upper - lower) * (rank - before) / static_cast<double>(counts[i]);
    }
    return static_cast<double>(kBoundsUs.back());
  }
};

}  // namespace ringress::core
