#pragma once

#include <limits>

#include "core/error.h"
#include "core/options.h"
#include "core/stats/ewma.h"

namespace huddle::core {

// Where the current capacity estimate came from.
enum class ServiceRateSource { kNone, kUtilisationLaw, kLowConcurrency, kSaturatedThroughput };
const char* ServiceRateSourceName(ServiceRateSource source);

// Option keys: workers_per_replica, min_utilisation, low_concurrency_fraction, alpha.
struct ServiceRateOptions {
  double workers_per_replica = 8.0;       // servers per replica in the M/M/c model
  double min_utilisation = 0.05;          // below this, U is too noisy to divide by
  double low_concurrency_fraction = 0.5;  // in-flight <= this x workers: latency ~ service time
  double alpha = 0.2;                     // EWMA over per-sample estimates

  static Result<ServiceRateOptions> Parse(const OptionMap& options);
};

// One observation of a service, as the intake sees it. Unknown fields are NaN.
struct ServiceRateSample {
  static constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
  double throughput_rps = 0.0;  // X, completed requests per second, all replicas
  double replicas = 1.0;        // ready replicas serving X
  double utilisation =
      kUnknown;                 // U in [0, 1], busy fraction per replica (e.g. CPU); NaN if unknown
  double in_flight = kUnknown;  // requests in service or queued, all replicas
  double low_latency_s = kUnknown;  // a low percentile (p10..p50) of latency, seconds
  double queue_depth = 0.0;         // requests waiting; > 0 means saturated
};

// Estimates the service rate mu of one replica (requests per second it can complete), never from
// latency x in-flight (that is throughput by Little's law, so rho would always read about 1).
// In order of preference for each sample:
//   1. utilisation law (Denning & Buzen 1978): mu = X / (U replicas), when U >= min_utilisation;
//   2. low-concurrency service time (Vegas rtt_noload, Envoy minRTT): when in-flight per replica
//      <= low_concurrency_fraction x workers, S ~ low_latency_s and mu = workers / S;
//   3. saturated throughput: with a queue (queue_depth > 0), X / replicas is the capacity itself.
// A sample none of these applies to leaves the estimate unchanged. Estimates are smoothed with an
// EWMA. Not thread-safe; no allocation.
class ServiceRateEstimator {
 public:
  explicit ServiceRateEstimator(const ServiceRateOptions& options = {});

  // Returns the source used for this sample (kNone if the sample was not usable).
  ServiceRateSource Observe(const ServiceRateSample& sample);

  bool has_estimate() const { return mu_.has_value(); }
  double mu_per_replica() const { return mu_.value(); }
  double mu_per_worker() const { return mu_.value() / options_.workers_per_replica; }
  ServiceRateSource last_source() const { return last_source_; }
  const ServiceRateOptions& options() const { return options_; }

 private:
  ServiceRateOptions options_;
  Ewma mu_;
  ServiceRateSource last_source_ = ServiceRateSource::kNone;
};

}  // namespace huddle::core
