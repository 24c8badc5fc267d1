#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/time.h"

namespace huddle::proxy {

// Upper bounds (ms) of the latency histogram buckets exported on /metrics; the last is +Inf.
inline constexpr std::array<double, 14> kLatencyBucketsMs = {
    0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
inline constexpr size_t kLatencyBuckets = kLatencyBucketsMs.size() + 1;

// One worker's counters for one backend. Written only by that worker (relaxed atomics), read by
// the control thread for /metrics and the admin API. Cache-line aligned: no false sharing.
struct alignas(64) BackendCounters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> errors{0};   // transport failures and 5xx answers
  std::atomic<uint64_t> retries{0};  // tries that were retries
  std::atomic<int64_t> in_flight{0};
  std::atomic<uint64_t> latency_sum_us{0};
  std::array<std::atomic<uint64_t>, kLatencyBuckets> latency{};

  void Record(core::Duration latency, bool error) {
    requests.fetch_add(1, std::memory_order_relaxed);
    if (error) errors.fetch_add(1, std::memory_order_relaxed);
    const double ms = core::ToMillis(latency);
    latency_sum_us.fetch_add(static_cast<uint64_t>(ms * 1000.0), std::memory_order_relaxed);
    size_t i = 0;
    while (i < kLatencyBucketsMs.size() && ms > kLatencyBucketsMs[i]) ++i;
    this->latency[i].fetch_add(1, std::memory_order_relaxed);
  }
};

// Sum over workers, as the control thread sees it.
struct BackendTotals {
  uint64_t requests = 0;
  uint64_t errors = 0;
  uint64_t retries = 0;
  int64_t in_flight = 0;
  uint64_t latency_sum_us = 0;
  std::array<uint64_t, kLatencyBuckets> latency{};  // per bucket, not cumulative

  // Approximate quantile (upper bound of the bucket holding it), in ms; 0 without data.
  double QuantileMs(double q) const;
};

// The counters of one backend across all workers. Created by the control thread when a backend
// appears; shared with the workers through the published cluster view.
class BackendStats {
 public:
  explicit BackendStats(size_t workers)
      : per_worker_(new BackendCounters[workers]), workers_(workers) {}
  BackendCounters& For(size_t worker) { return per_worker_[worker]; }
  BackendTotals Sum() const;

 private:
  std::unique_ptr<BackendCounters[]> per_worker_;
  size_t workers_;
};

}  // namespace huddle::proxy
