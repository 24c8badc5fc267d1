#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/stats/log_histogram.h"
#include "core/time.h"

namespace huddle::proxy {

// The latencies of one cluster's admitted requests, for its adaptive concurrency limit.
// Each worker writes its own row of log-spaced buckets (2 % relative error, 10 us .. 1000 s):
// one relaxed load and store of a counter only that worker writes, no lock, no allocation, no
// shared cache line. The control thread drains the rows' growth since its previous drain.
// Contract: Record(w, ...) only from worker w (w < workers); Drain() only from one thread (the
// control thread). Memory: workers x about 470 counters, allocated at construction.
class LatencySampler {
 public:
  explicit LatencySampler(size_t workers);
  LatencySampler(const LatencySampler&) = delete;
  LatencySampler& operator=(const LatencySampler&) = delete;

  void Record(size_t worker, core::Duration latency) {
    std::atomic<uint64_t>& n =
        counts_[worker * stride_ + layout_.BucketIndex(core::ToMillis(latency))];
    n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  // Calls fn(latency, count) once per bucket that grew since the previous Drain(), with the
  // bucket's representative latency.
  template <typename F>
  void Drain(F&& fn) {
    for (size_t b = 0; b < buckets_; ++b) {
      uint64_t total = 0;
      for (size_t w = 0; w < workers_; ++w) {
        total += counts_[w * stride_ + b].load(std::memory_order_relaxed);
      }
      const uint64_t grown = total - seen_[b];
      seen_[b] = total;
      if (grown > 0) fn(core::FromMillis(layout_.BucketValue(b)), grown);
    }
  }

  size_t workers() const { return workers_; }

 private:
  // Constant after construction.
  core::LogHistogram layout_;  // the bucket mapping only; its own counts stay empty
  size_t workers_;
  size_t buckets_;
  size_t stride_;  // buckets rounded up to a cache line of counters
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  // Control thread only.
  std::vector<uint64_t> seen_;
};

}  // namespace huddle::proxy
