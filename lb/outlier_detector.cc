#include "lb/outlier_detector.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace ringress::lb {

namespace {

// Success rates this close to the mean are never outliers: with every host at the same rate,
// rounding in the mean must not make them look below it.
constexpr double kRateEpsilon = 1e-9;

std::string consecutive(uint32_t count, const char* what) {
  return std::to_string(count) + " consecutive " + what;
}

}  // namespace

std::string format_percent(double percent) {
  double rounded = std::round(percent * 10) / 10;
  char text[32];
  if (rounded == std::floor(rounded))
    std::snprintf(text, sizeof(text), "%.0f%%", rounded);
  else
    std::snprintf(text, sizeof(text), "%.1f%%", rounded);
  return text;
}

std::string describe(const OutlierStats& s) {
  return std::to_string(s.ejections()) + " ejections (" +
         std::to_string(s.ejections_consecutive_5xx) + " consecutive 5xx, " +
         std::to_string(s.ejections_consecutive_gateway_failure) +
         " consecutive gateway failures, " + std::to_string(s.ejections_success_rate) +
         " success rate), " + std::to_string(s.returns) + " returns, " +
         std::to_string(s.ejections_refused) + " refused by max_ejection_percent";
}

OutlierDetector::OutlierDetector(const conf::OutlierDetection& settings)
    : settings_(settings),
      interval_(settings.interval),
      base_ejection_(settings.base_ejection_time),
      max_ejection_(settings.max_ejection_time) {}

void OutlierDetector::set_host_count(std::size_t n) {
  hosts_.resize(n);
  ejected_count_ = 0;
  for (const HostState& h : hosts_) ejected_count_ += h.ejected ? 1 : 0;
}

void OutlierDetector::reindex(std::span<const std::size_t> previous) {
  std::vector<HostState> next(previous.size());
  for (std::size_t i = 0; i < previous.size(); ++i) {
    if (previous[i] < hosts_.size()) next[i] = hosts_[previous[i]];
  }
  hosts_ = std::move(next);
  set_host_count(hosts_.size());
}

void OutlierDetector::start(core::TimePoint now) {
  if (!next_sweep_) next_sweep_ = now + interval_;
}

std::vector<EjectionChange> OutlierDetector::record(std::span<const OutcomeReport> batch,
                                                    core::TimePoint now) {
  start(now);
  std::vector<EjectionChange> changes;
  for (const OutcomeReport& report : batch) {
    if (report.host < hosts_.size()) count(report.host, report.outcome, now, changes);
  }
  return changes;
}

void OutlierDetector::count(std::size_t host, HostOutcome outcome, core::TimePoint now,
                            std::vector<EjectionChange>& changes) {
  HostState& h = hosts_[host];
  ++h.interval_total;
  switch (outcome) {
    case HostOutcome::success:
      ++h.interval_successes;
      h.consecutive_5xx = 0;
      h.consecutive_gateway = 0;
      return;
    case HostOutcome::status_5xx:
      ++h.consecutive_5xx;
      h.consecutive_gateway = 0;
      break;
    case HostOutcome::gateway_failure:
      ++h.consecutive_5xx;
      ++h.consecutive_gateway;
      break;
    case HostOutcome::local_origin_failure:
      ++h.consecutive_5xx;
      break;
  }
  if (h.ejected) return;
  uint32_t gateway_threshold = settings_.consecutive_gateway_failure;
  uint32_t threshold_5xx = settings_.consecutive_5xx;
  if (gateway_threshold != 0 && h.consecutive_gateway >= gateway_threshold) {
    eject(host, EjectionCause::consecutive_gateway_failure,
          consecutive(h.consecutive_gateway, "gateway failures"), now, changes);
  } else if (threshold_5xx != 0 && h.consecutive_5xx >= threshold_5xx) {
    eject(host, EjectionCause::consecutive_5xx, consecutive(h.consecutive_5xx, "5xx"), now,
          changes);
  }
}

bool OutlierDetector::cap_allows_one_more() const {
  std::size_t after = ejected_count_ + 1;
  if (after >= hosts_.size()) return false;  // never every host
  if (ejected_count_ == 0) return true;      // one may always be ejected
  return after * 100 <= static_cast<std::size_t>(settings_.max_ejection_percent) * hosts_.size();
}

void OutlierDetector::eject(std::size_t host, EjectionCause cause, std::string why,
                            core::TimePoint now, std::vector<EjectionChange>& changes) {
  if (!cap_allows_one_more()) {
    ++stats_.ejections_refused;
    return;
  }
  HostState& h = hosts_[host];
  if (base_ejection_ * h.multiplier < max_ejection_) ++h.multiplier;
  core::Duration duration = std::min(base_ejection_ * h.multiplier, max_ejection_);
  h.ejected = true;
  h.ejected_until = now + duration;
  ++ejected_count_;
  switch (cause) {
    case EjectionCause::consecutive_5xx:
      ++stats_.ejections_consecutive_5xx;
      break;
    case EjectionCause::consecutive_gateway_failure:
      ++stats_.ejections_consecutive_gateway_failure;
      break;
    case EjectionCause::success_rate:
      ++stats_.ejections_success_rate;
      break;
    case EjectionCause::time_elapsed:
      break;
  }
  changes.push_back({host, true, cause, std::move(why),
                     std::chrono::duration_cast<std::chrono::milliseconds>(duration)});
}

std::vector<EjectionChange> OutlierDetector::tick(core::TimePoint now) {
  start(now);
  std::vector<EjectionChange> changes;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    HostState& h = hosts_[i];
    if (!h.ejected || now < h.ejected_until) continue;
    h.ejected = false;
    h.consecutive_5xx = 0;
    h.consecutive_gateway = 0;
    h.returned_at = now;
    --ejected_count_;
    ++stats_.returns;
    changes.push_back({i, false, EjectionCause::time_elapsed, "ejection time elapsed", {}});
  }
  if (now >= *next_sweep_) {
    sweep(now, changes);
    // The next sweep stays on the schedule's grid; sweeps missed by a late tick are skipped.
    auto missed = (now - *next_sweep_) / interval_;
    *next_sweep_ += interval_ * (missed + 1);
  }
  return changes;
}

void OutlierDetector::sweep(core::TimePoint now, std::vector<EjectionChange>& changes) {
  for (HostState& h : hosts_) {
    if (!h.ejected && h.multiplier > 0 && h.returned_at && now - *h.returned_at >= interval_)
      --h.multiplier;
  }
  if (settings_.success_rate) eject_by_success_rate(now, changes);
  for (HostState& h : hosts_) {
    h.interval_successes = 0;
    h.interval_total = 0;
  }
}

void OutlierDetector::eject_by_success_rate(core::TimePoint now,
                                            std::vector<EjectionChange>& changes) {
  const conf::SuccessRateSettings& s = *settings_.success_rate;
  std::vector<std::pair<double, std::size_t>> rates;  // (success rate in percent, host)
  double sum = 0;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    const HostState& h = hosts_[i];
    if (h.ejected || h.interval_total < s.request_volume) continue;
    double rate =
        100.0 * static_cast<double>(h.interval_successes) / static_cast<double>(h.interval_total);
    rates.emplace_back(rate, i);
    sum += rate;
  }
  if (rates.empty() || rates.size() < s.minimum_hosts) return;
  double mean = sum / static_cast<double>(rates.size());
  double variance = 0;
  for (const auto& [rate, host] : rates) variance += (rate - mean) * (rate - mean);
  variance /= static_cast<double>(rates.size());
  double threshold = mean - s.stdev_factor * std::sqrt(variance);
  std::sort(rates.begin(), rates.end());  // lowest first: the cap keeps the worst out first
  for (const auto& [rate, host] : rates) {
    if (!(rate < threshold && mean - rate > kRateEpsilon)) break;
    eject(host, EjectionCause::success_rate,
          "success rate " + format_percent(rate) + " below " + format_percent(threshold) +
              " threshold",
          now, changes);
  }
}

std::optional<core::TimePoint> OutlierDetector::next_deadline() const {
  if (!next_sweep_) return std::nullopt;
  core::TimePoint next = *next_sweep_;
  for (const HostState& h : hosts_) {
    if (h.ejected) next = std::min(next, h.ejected_until);
  }
  return next;
}

}  // namespace ringress::lb
