#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/random.h"
#include "proxy/shed_sampler.h"

namespace huddle::proxy {

// One cluster's load-shedding state, shared by the control thread and every worker (published
// through the ClusterView; the object outlives reloads). Two sources decide, each publishing
// into atomics that the workers read with relaxed loads:
// - the adaptive concurrency limit (AdaptiveLimit, every control tick, from the latencies the
//   workers record in `sampler`);
// - the embedded engine's decision (after each engine tick, or pinned): an admit probability,
//   a concurrency ceiling, Retry-After and the retry budget ratio.
// The concurrency limit in force is the smaller of the two that are set.
//
// Contract: a worker calls TryAdmit() once per request before picking a backend; when it
// returns kAdmit it must call Release() when the request ends. With neither source enabled
// TryAdmit() returns kPass and counts nothing. Request path: relaxed atomics only (one
// fetch_add and one fetch_sub on `in_flight`), no lock, no allocation.
struct alignas(64) ClusterShedState {
  // kPass: shedding off, nothing counted; kAdmit: counted in `in_flight` (call Release()).
  enum class Verdict { kPass, kAdmit, kLimit, kAdmission };

  explicit ClusterShedState(size_t workers = 1) : sampler(workers) {}
  ClusterShedState(const ClusterShedState&) = delete;
  ClusterShedState& operator=(const ClusterShedState&) = delete;

  // Adaptive concurrency (control thread).
  std::atomic<bool> adaptive_enabled{false};
  std::atomic<uint32_t> adaptive_limit{0};  // 0: no limit
  // The engine's decision (control thread, engine mutex held).
  std::atomic<bool> engine_enabled{false};
  std::atomic<double> admit_probability{1.0};
  std::atomic<uint32_t> engine_limit{0};         // 0: no limit
  std::atomic<double> retry_budget_ratio{-1.0};  // retries per first attempt; < 0: none set
  std::atomic<int64_t> retry_after_s{1};         // for the 503's Retry-After header

  // Counters, all workers.
  alignas(64) std::atomic<int64_t> in_flight{0};  // admitted requests not finished
  std::atomic<uint64_t> shed_limit{0};            // refused at the concurrency limit
  std::atomic<uint64_t> shed_admission{0};        // refused by the admission draw

  // Latencies of admitted requests (each worker its own row).
  LatencySampler sampler;

  bool enabled() const {
    return adaptive_enabled.load(std::memory_order_relaxed) ||
           engine_enabled.load(std::memory_order_relaxed);
  }

  // The concurrency limit in force: the smaller of the enabled, non-zero limits; 0: none.
  uint32_t EffectiveLimit() const {
    uint32_t limit = 0;
    if (adaptive_enabled.load(std::memory_order_relaxed)) {
      limit = adaptive_limit.load(std::memory_order_relaxed);
    }
    if (engine_enabled.load(std::memory_order_relaxed)) {
      const uint32_t e = engine_limit.load(std::memory_order_relaxed);
      if (e > 0) limit = limit == 0 ? e : std::min(limit, e);
    }
    return limit;
  }

  // `rng` is the worker's own generator (drawn only when the admit probability is below 1).
  // `limited` false: the request is not held to the concurrency limit (a protocol upgrade,
  // whose tunnel lasts as long as the connection) but is still counted and drawn.
  Verdict TryAdmit(core::Random& rng, bool limited = true) {
    const bool engine = engine_enabled.load(std::memory_order_relaxed);
    if (!engine && !adaptive_enabled.load(std::memory_order_relaxed)) return Verdict::kPass;
    const uint32_t limit = limited ? EffectiveLimit() : 0;
    const int64_t before = in_flight.fetch_add(1, std::memory_order_relaxed);
    if (limit > 0 && before >= static_cast<int64_t>(limit)) {
      in_flight.fetch_sub(1, std::memory_order_relaxed);
      shed_limit.fetch_add(1, std::memory_order_relaxed);
      return Verdict::kLimit;
    }
    const double p = engine ? admit_probability.load(std::memory_order_relaxed) : 1.0;
    if (p < 1.0 && rng.UnitDouble() >= p) {
      in_flight.fetch_sub(1, std::memory_order_relaxed);
      shed_admission.fetch_add(1, std::memory_order_relaxed);
      return Verdict::kAdmission;
    }
    return Verdict::kAdmit;
  }
  void Release() { in_flight.fetch_sub(1, std::memory_order_relaxed); }
  uint64_t shed_total() const {
    return shed_limit.load(std::memory_order_relaxed) +
           shed_admission.load(std::memory_order_relaxed);
  }
};

}  // namespace huddle::proxy
