#include "core/health/outlier_detection_options.h"

namespace huddle::core {
namespace {

uint32_t Count(OptionReader& r, const char* key, uint32_t fallback, double min, double max) {
  return static_cast<uint32_t>(r.Int(key, fallback, {.min = min, .max = max}));
}

uint32_t Percent(OptionReader& r, const char* key, uint32_t fallback) {
  return Count(r, key, fallback, 0, 100);
}

}  // namespace

Result<OutlierDetectionOptions> OutlierDetectionOptions::Parse(const OptionMap& options) {
  OutlierDetectionOptions o;
  OptionReader r(options, "outlier_detection");
  const OptionRange positive{.min = 0, .min_exclusive = true};
  o.interval = r.Time("interval", o.interval, positive);
  o.base_ejection_time = r.Time("base_ejection_time", o.base_ejection_time, positive);
  o.max_ejection_time = r.Time("max_ejection_time", o.max_ejection_time, positive);
  o.max_ejection_time_jitter = r.Time("max_ejection_time_jitter", o.max_ejection_time_jitter);
  o.max_ejection_percent = Percent(r, "max_ejection_percent", o.max_ejection_percent);
  // A streak threshold of 0 could never be reached; turn a detector off with enforcing_* = 0.
  constexpr double kMaxCount = 1e9;
  o.consecutive_5xx = Count(r, "consecutive_5xx", o.consecutive_5xx, 1, kMaxCount);
  o.enforcing_consecutive_5xx =
      Percent(r, "enforcing_consecutive_5xx", o.enforcing_consecutive_5xx);
  o.consecutive_gateway_failure =
      Count(r, "consecutive_gateway_failure", o.consecutive_gateway_failure, 1, kMaxCount);
  o.enforcing_consecutive_gateway_failure =
      Percent(r, "enforcing_consecutive_gateway_failure", o.enforcing_consecutive_gateway_failure);
  o.success_rate_minimum_hosts =
      Count(r, "success_rate_minimum_hosts", o.success_rate_minimum_hosts, 1, kMaxCount);
  o.success_rate_request_volume =
      Count(r, "success_rate_request_volume", o.success_rate_request_volume, 1, kMaxCount);
  o.success_rate_stdev_factor =
      Count(r, "success_rate_stdev_factor", o.success_rate_stdev_factor, 0, kMaxCount);
  o.enforcing_success_rate = Percent(r, "enforcing_success_rate", o.enforcing_success_rate);
  o.failure_percentage_threshold =
      Percent(r, "failure_percentage_threshold", o.failure_percentage_threshold);
  o.failure_percentage_minimum_hosts = Count(r, "failure_percentage_minimum_hosts",
                                             o.failure_percentage_minimum_hosts, 1, kMaxCount);
  o.failure_percentage_request_volume = Count(r, "failure_percentage_request_volume",
                                              o.failure_percentage_request_volume, 1, kMaxCount);
  o.enforcing_failure_percentage =
      Percent(r, "enforcing_failure_percentage", o.enforcing_failure_percentage);
  o.successful_active_health_check_uneject_host = r.Bool(
      "successful_active_health_check_uneject_host", o.successful_active_health_check_uneject_host);
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

}  // namespace huddle::core
