#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace huddle::sim {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One named figure of a trial. NaN means "does not apply or never happened" (for example the
// detection time of a policy that never moved traffic off the faulty backend).
struct Metric {
  std::string name;
  double value = kNaN;
};

// Names of the metrics every trial reports, in table order. Latencies are end-to-end per user
// request (all attempts and backoffs included; a request that finally failed counts with the time
// it took to fail).
//   p50_ms p95_ms p99_ms p999_ms mean_ms   latency quantiles (exact, over measured requests)
//   error_pct        requests that failed after retries, percent of requests
//   gini             Gini coefficient of the attempts each backend received
//   detect_requests  attempts sent to the faulty backends from the first fault's start until their
//                    share of recent attempts fell below half their fair share
//   detect_s         the same, in seconds
//   recover_s        seconds from the first fault's end until the recovered backends' share of
//                    recent attempts was back to half their fair share
//   faulty_share_pct attempts to the faulty backends while faulty, percent of all attempts then
//   retries_pct      retry attempts, percent of requests
std::vector<std::string> MetricNames();

// What one run of one policy on one scenario with one seed produced.
struct TrialResult {
  std::string policy;
  uint64_t seed = 0;
  uint64_t simulated_requests = 0;  // every request started, measured or not
  uint64_t attempts = 0;
  uint64_t events = 0;
  std::vector<Metric> metrics;
  // Attempts each backend received while measured, in scenario order.
  std::vector<uint64_t> backend_attempts;

  // Time series (filled when asked for): per bucket of bucket_s seconds, the number of requests
  // finished, their mean and p99 latency; and per backend (or per group for large clusters) the
  // attempts dispatched.
  double bucket_s = 0.0;
  std::vector<uint32_t> series_count;
  std::vector<double> series_mean_ms;
  std::vector<double> series_p99_ms;
  std::vector<std::string> series_backends;
  std::vector<std::vector<uint32_t>> series_dispatch;  // [backend or group][bucket]

  double Get(const std::string& name) const {
    for (const Metric& m : metrics) {
      if (m.name == name) return m.value;
    }
    return kNaN;
  }
};

}  // namespace huddle::sim
