#include "proxy/backend_stats.h"

namespace huddle::proxy {

BackendTotals BackendStats::Sum() const {
  BackendTotals t;
  for (size_t w = 0; w < workers_; ++w) {
    const BackendCounters& c = per_worker_[w];
    t.requests += c.requests.load(std::memory_order_relaxed);
    t.errors += c.errors.load(std::memory_order_relaxed);
    t.retries += c.retries.load(std::memory_order_relaxed);
    t.in_flight += c.in_flight.load(std::memory_order_relaxed);
    t.latency_sum_us += c.latency_sum_us.load(std::memory_order_relaxed);
    for (size_t i = 0; i < kLatencyBuckets; ++i) {
      t.latency[i] += c.latency[i].load(std::memory_order_relaxed);
    }
  }
  return t;
}

double BackendTotals::QuantileMs(double q) const {
  uint64_t total = 0;
  for (uint64_t n : latency) total += n;
  if (total == 0) return 0;
  const double want = q * static_cast<double>(total);
  uint64_t seen = 0;
  for (size_t i = 0; i < kLatencyBuckets; ++i) {
    seen += latency[i];
    if (static_cast<double>(seen) >= want) {
      return i < kLatencyBucketsMs.size() ? kLatencyBucketsMs[i] : kLatencyBucketsMs.back() * 2;
    }
  }
  return kLatencyBucketsMs.back() * 2;
}

}  // namespace huddle::proxy
