// A cluster's passive outlier detection settings (the `outlier_detection` key of a cluster):
// Envoy's outlier detection, with Envoy's defaults. lb/outlier_detector.h applies them to the
// outcomes that workers report. Plain values, checked at load (conf/outlier_section.cc).
#pragma once

#include <cstdint>
#include <optional>

#include "conf/units.h"

namespace ringress::conf {

// Success-rate ejection: every `interval`, the hosts that carried at least `request_volume`
// requests in it are compared; when there are at least `minimum_hosts` of them, a host whose
// success rate is below mean - stdev_factor * stdev (population standard deviation, in percent)
// is ejected.
struct SuccessRateSettings {
  uint32_t minimum_hosts = 5;
  uint32_t request_volume = 100;
  double stdev_factor = 1.9;  // Envoy's success_rate_stdev_factor 1900 / 1000
};

struct OutlierDetection {
  // Failures in a row that eject a host; 0 turns the rule off. A gateway failure (upstream 502,
  // 503, 504, connect failure, reset, timeout) also counts as a 5xx. Unlike Envoy (whose
  // enforcing_consecutive_gateway_failure defaults to 0%), consecutive gateway failures eject.
  uint32_t consecutive_5xx = 5;
  uint32_t consecutive_gateway_failure = 5;
  Duration interval{10000};  // between sweeps: success-rate ejection, multiplier decay
  // An ejection lasts base_ejection_time x the host's ejection multiplier (times ejected, less
  // one per healthy interval since), at most max_ejection_time.
  Duration base_ejection_time{30000};
  Duration max_ejection_time{300000};
  // At most this share of the cluster's hosts ejected at once; one host may always be ejected
  // (as in Envoy), but never the last host that is not.
  uint32_t max_ejection_percent = 10;
  std::optional<SuccessRateSettings> success_rate;  // none: no success-rate ejection
};

}  // namespace ringress::conf
