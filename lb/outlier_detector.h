// OutlierDetector: passive health checking of one cluster's hosts from the outcomes of real
// requests (Envoy's outlier detection). Workers report outcomes in batches (lb/host_outcome.h);
// the control loop feeds them here, applies the changes to its host set's `ejected` flags and
// republishes. Runs on the control thread only.
//
// Rules (conf/outlier.h has the settings):
// - consecutive_5xx / consecutive_gateway_failure: a host whose failures in a row reach the
//   threshold is ejected at once. A gateway failure is also a 5xx; a plain 5xx breaks a run of
//   gateway failures; a success breaks both. Every further failure past the threshold tries
//   again (Envoy tries only when the count equals it), so a host refused by the cap is ejected
//   as soon as there is room.
// - success_rate (optional): at each sweep, every `interval`, hosts not ejected with at least
//   request_volume outcomes in the interval are compared; with at least minimum_hosts of them,
//   those whose success rate is below mean - stdev_factor x stdev are ejected, lowest first.
// - An ejection lasts base_ejection_time x the host's multiplier, at most max_ejection_time.
//   The multiplier grows by one per ejection while base x multiplier is below
//   max_ejection_time, and decays by one at each sweep that finds the host not ejected and
//   returned at least an interval ago (Envoy's ejection time backoff).
// - The cap: an ejection happens when no host is ejected (Envoy: at least one may always be),
//   or when the ejected hosts would then be at most max_ejection_percent of the hosts; and
//   never when it would eject every host (with one host, nothing is ever ejected).
// - A host returns as soon as tick() sees its ejection time elapsed (Envoy waits for the next
//   sweep); its failure counts start again from zero.
//
// Pure logic: no I/O, no clock, no randomness; the same calls with the same `now` give the same
// changes. The interval schedule starts at the first record() or tick(). record() and tick()
// allocate only for the changes they return (nothing when nothing changes); per-host state is
// sized by set_host_count()/reindex().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "conf/outlier.h"
#include "core/clock.h"
#include "lb/host_outcome.h"

namespace ringress::lb {

enum class EjectionCause : uint8_t {
  consecutive_5xx,
  consecutive_gateway_failure,
  success_rate,
  time_elapsed,  // a return
};

// One host's ejection state changed.
struct EjectionChange {
  std::size_t host = 0;
  bool ejected = false;  // true: ejected now; false: returned to service
  EjectionCause cause = EjectionCause::time_elapsed;
  // "5 consecutive 5xx", "5 consecutive gateway failures", "success rate 41% below 87.3%
  // threshold", "ejection time elapsed"
  std::string why;
  std::chrono::milliseconds duration{};  // for an ejection: how long it lasts
};

struct OutlierStats {
  uint64_t ejections_consecutive_5xx = 0;
  uint64_t ejections_consecutive_gateway_failure = 0;
  uint64_t ejections_success_rate = 0;
  uint64_t returns = 0;
  // An outlier left in service by max_ejection_percent or because it was the last host.
  uint64_t ejections_refused = 0;
  uint64_t ejections() const {
    return ejections_consecutive_5xx + ejections_consecutive_gateway_failure +
           ejections_success_rate;
  }
};

class OutlierDetector {
 public:
  static constexpr std::size_t kNewHost = std::numeric_limits<std::size_t>::max();

  explicit OutlierDetector(const conf::OutlierDetection& settings);

  // Hosts 0..n-1 of the current host set: hosts that stay keep their state (ejection included),
  // removed hosts are forgotten, new ones start fresh.
  void set_host_count(std::size_t n);
  // The host set changed shape: new host i is the old host previous[i], or kNewHost.
  void reindex(std::span<const std::size_t> previous);

  // Outcomes of requests, in order. Reports for hosts past the host count are ignored; the
  // caller drops those of a host set whose indices differ from the current one.
  std::vector<EjectionChange> record(std::span<const OutcomeReport> batch, core::TimePoint now);
  // Returns the hosts whose ejection elapsed by `now`; runs the interval sweep when it is due.
  std::vector<EjectionChange> tick(core::TimePoint now);
  // When tick() next has something to do (the next sweep, or an ejection's end); nullopt before
  // the schedule started.
  std::optional<core::TimePoint> next_deadline() const;

  std::size_t host_count() const { return hosts_.size(); }
  bool ejected(std::size_t host) const { return host < hosts_.size() && hosts_[host].ejected; }
  std::size_t ejected_count() const { return ejected_count_; }
  // The host's ejection multiplier (lasts base_ejection_time x it when next ejected, less decay).
  uint32_t multiplier(std::size_t host) const { return hosts_.at(host).multiplier; }
  const OutlierStats& stats() const { return stats_; }
  const conf::OutlierDetection& settings() const { return settings_; }

 private:
  struct HostState {
    uint32_t consecutive_5xx = 0;
    uint32_t consecutive_gateway = 0;
    uint32_t multiplier = 0;
    bool ejected = false;
    core::TimePoint ejected_until{};
    std::optional<core::TimePoint> returned_at;
    uint64_t interval_successes = 0;  // for success_rate, reset at each sweep
    uint64_t interval_total = 0;
  };

  void start(core::TimePoint now);
  void count(std::size_t host, HostOutcome outcome, core::TimePoint now,
             std::vector<EjectionChange>& changes);
  // Ejects `host` unless the cap forbids it (then counts the refusal).
  void eject(std::size_t host, EjectionCause cause, std::string why, core::TimePoint now,
             std::vector<EjectionChange>& changes);
  bool cap_allows_one_more() const;
  void sweep(core::TimePoint now, std::vector<EjectionChange>& changes);
  void eject_by_success_rate(core::TimePoint now, std::vector<EjectionChange>& changes);

  conf::OutlierDetection settings_;
  core::Duration interval_, base_ejection_, max_ejection_;
  std::vector<HostState> hosts_;
  std::size_t ejected_count_ = 0;
  std::optional<core::TimePoint> next_sweep_;
  OutlierStats stats_;
};

// The counters in one line, for logs and the exit summary: "3 ejections (2 consecutive 5xx,
// 1 consecutive gateway failures, 0 success rate), 2 returns, 1 refused by
// max_ejection_percent".
std::string describe(const OutlierStats& stats);

// "41%", "87.3%": a percentage as the reasons show it (one decimal, none when whole).
std::string format_percent(double percent);

}  // namespace ringress::lb
