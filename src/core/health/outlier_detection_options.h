#pragma once

#include <cstdint>

#include "core/error.h"
#include "core/options.h"
#include "core/time.h"

namespace huddle::core {

// Outlier detection settings, with the names and defaults of Envoy's
// envoy.config.cluster.v3.OutlierDetection (see docs/health.md for every difference).
// Percentages are integers in [0, 100]; an `enforcing_*` value is the chance, in percent, that a
// detected outlier is really ejected (0 turns a detector into "count only"). Parse() reads the
// same names from an OptionMap and rejects unknown keys.
struct OutlierDetectionOptions {
  Duration interval = FromSeconds(10);            // sweep period (success rate, failure %)
  Duration base_ejection_time = FromSeconds(30);  // × the host's ejection multiplier
  Duration max_ejection_time = FromSeconds(300);  // cap: max(base, max) per ejection
  Duration max_ejection_time_jitter{};            // uniform extra time in [0, jitter]
  uint32_t max_ejection_percent = 10;             // at least one host is always ejectable
  uint32_t consecutive_5xx = 5;
  uint32_t enforcing_consecutive_5xx = 100;
  uint32_t consecutive_gateway_failure = 5;  // 502, 503, 504 and transport failures
  uint32_t enforcing_consecutive_gateway_failure = 0;
  uint32_t success_rate_minimum_hosts = 5;
  uint32_t success_rate_request_volume = 100;  // per host per interval
  uint32_t success_rate_stdev_factor = 1900;   // threshold = mean − (factor / 1000) · stdev
  uint32_t enforcing_success_rate = 100;
  uint32_t failure_percentage_threshold = 85;
  uint32_t failure_percentage_minimum_hosts = 5;
  uint32_t failure_percentage_request_volume = 50;
  uint32_t enforcing_failure_percentage = 0;
  bool successful_active_health_check_uneject_host = true;

  static Result<OutlierDetectionOptions> Parse(const OptionMap& options);
};

}  // namespace huddle::core
