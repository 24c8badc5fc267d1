#pragma once

#include <cstdint>
#include <string>

#include "sim/counter_random.h"

namespace huddle::sim {

// How long one request keeps a backend worker busy, in milliseconds, before any fault.
// Any kind may be made bimodal: a fraction `slow_fraction` of draws (chosen by the request's key,
// so the same requests are slow on every backend and under every policy) is multiplied by
// `slow_multiplier`; the mean then includes the slow slice.
//   kExponential  mean_ms                      (M/M/c when arrivals are Poisson)
//   kLognormal    mean_ms, sigma               (heavy-ish tail; mean is the true mean)
//   kFixed        mean_ms +- jitter_ms         (uniform jitter)
//   kSeed         max(floor_ms, mean_ms + per_active_ms * active + N(0, noise_ms))
//                 HuddleCluster's FakeServer: latency grows with the requests already in flight
//                 at the backend (it sleeps, so it is usually run with unlimited workers).
struct ServiceSpec {
  enum class Kind : uint8_t { kExponential, kLognormal, kFixed, kSeed };
  Kind kind = Kind::kExponential;
  double mean_ms = 10.0;
  double sigma = 0.5;
  double jitter_ms = 0.0;
  double per_active_ms = 2.0;
  double noise_ms = 3.0;
  double floor_ms = 1.0;
  double slow_fraction = 0.0;
  double slow_multiplier = 1.0;

  // One draw for request `key` (common random numbers: the same key gives the same draw).
  // `active` is the number of requests already in flight at the backend.
  double SampleMs(const CounterRandom& rng, uint64_t key, uint32_t active) const;
  // The expected service time with `active` requests in flight (what an oracle knows).
  double MeanMs(uint32_t active) const;

  static const char* KindName(Kind kind);

 private:
  double BaseSampleMs(const CounterRandom& rng, uint64_t key, uint32_t active) const;
};

}  // namespace huddle::sim
