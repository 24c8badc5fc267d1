#include "core/control/service_rate_estimator.h"

#include <cmath>

namespace huddle::core {

const char* ServiceRateSourceName(ServiceRateSource source) {
  switch (source) {
    case ServiceRateSource::kNone:
      return "none";
    case ServiceRateSource::kUtilisationLaw:
      return "utilisation_law";
    case ServiceRateSource::kLowConcurrency:
      return "low_concurrency";
    case ServiceRateSource::kSaturatedThroughput:
      return "saturated_throughput";
  }
  return "unknown";
}

Result<ServiceRateOptions> ServiceRateOptions::Parse(const OptionMap& options) {
  ServiceRateOptions o;
  OptionReader r(options, "service_rate");
  o.workers_per_replica =
      r.Double("workers_per_replica", o.workers_per_replica, {.min = 1, .max = 1e6});
  o.min_utilisation =
      r.Double("min_utilisation", o.min_utilisation, {.min = 0, .max = 1, .min_exclusive = true});
  o.low_concurrency_fraction =
      r.Double("low_concurrency_fraction", o.low_concurrency_fraction, {.min = 0, .max = 1});
  o.alpha = r.Double("alpha", o.alpha, {.min = 0, .max = 1, .min_exclusive = true});
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

ServiceRateEstimator::ServiceRateEstimator(const ServiceRateOptions& options)
    : options_(options), mu_(options.alpha) {}

ServiceRateSource ServiceRateEstimator::Observe(const ServiceRateSample& s) {
  last_source_ = ServiceRateSource::kNone;
  if (!(s.replicas > 0.0) || !std::isfinite(s.replicas)) return last_source_;
  const double x = std::isfinite(s.throughput_rps) ? s.throughput_rps : 0.0;
  double estimate = 0.0;
  if (x > 0.0 && std::isfinite(s.utilisation) && s.utilisation >= options_.min_utilisation) {
    estimate = x / (std::min(s.utilisation, 1.0) * s.replicas);
    last_source_ = ServiceRateSource::kUtilisationLaw;
  } else if (std::isfinite(s.in_flight) && std::isfinite(s.low_latency_s) &&
             s.low_latency_s > 0.0 &&
             s.in_flight / s.replicas <=
                 options_.low_concurrency_fraction * options_.workers_per_replica) {
    estimate = options_.workers_per_replica / s.low_latency_s;
    last_source_ = ServiceRateSource::kLowConcurrency;
  } else if (x > 0.0 && s.queue_depth > 0.0) {
    estimate = x / s.replicas;
    last_source_ = ServiceRateSource::kSaturatedThroughput;
  }
  if (last_source_ != ServiceRateSource::kNone && std::isfinite(estimate) && estimate > 0.0) {
    mu_.Add(estimate);
  } else {
    last_source_ = ServiceRateSource::kNone;
  }
  return last_source_;
}

}  // namespace huddle::core
