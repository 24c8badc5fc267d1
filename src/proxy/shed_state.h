#pragma once

#include <atomic>
#include <cstdint>

#include "core/random.h"

namespace huddle::proxy {

// One cluster's load-shedding decision and counters, shared by the control thread and every
// worker (published through the ClusterView; the object outlives reloads). The control thread
// stores the engine's decision after each engine tick; a worker reads it with relaxed loads and
// one fetch_add on `in_flight` per request: no lock, no allocation on the request path.
//
// Contract: a worker calls TryAdmit() once per request before picking a backend; when it
// returns kAdmit it must call Release() when the request ends. With `enabled` false TryAdmit()
// returns kPass and counts nothing.
struct alignas(64) ClusterShedState {
  // kPass: shedding off, nothing counted; kAdmit: counted in `in_flight` (call Release()).
  enum class Verdict { kPass, kAdmit, kLimit, kAdmission };

  std::atomic<bool> enabled{false};
  std::atomic<double> admit_probability{1.0};
  std::atomic<uint32_t> concurrency_limit{0};  // 0: no limit
  std::atomic<int64_t> retry_after_s{1};       // for the 503's Retry-After header
  std::atomic<int64_t> in_flight{0};           // admitted requests not finished, all workers
  std::atomic<uint64_t> arrivals{0};           // requests that reached the check
  std::atomic<uint64_t> shed_limit{0};         // refused at the concurrency limit
  std::atomic<uint64_t> shed_admission{0};     // refused by the admission draw

  // `rng` is the worker's own generator (drawn only when the admit probability is below 1).
  Verdict TryAdmit(core::Random& rng) {
    if (!enabled.load(std::memory_order_relaxed)) return Verdict::kPass;
    arrivals.fetch_add(1, std::memory_order_relaxed);
    const uint32_t limit = concurrency_limit.load(std::memory_order_relaxed);
    const int64_t before = in_flight.fetch_add(1, std::memory_order_relaxed);
    if (limit > 0 && before >= static_cast<int64_t>(limit)) {
      in_flight.fetch_sub(1, std::memory_order_relaxed);
      shed_limit.fetch_add(1, std::memory_order_relaxed);
      return Verdict::kLimit;
    }
    const double p = admit_probability.load(std::memory_order_relaxed);
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
