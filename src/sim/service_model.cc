#include "sim/service_model.h"

#include <algorithm>
#include <cmath>

namespace huddle::sim {
namespace {

// Streams of the counter-based generator used by service draws (other streams live elsewhere).
constexpr uint64_t kServiceStream = 11;
constexpr uint64_t kNoiseStream = 12;
constexpr uint64_t kSlowSliceStream = 13;

}  // namespace

double ServiceSpec::SampleMs(const CounterRandom& rng, uint64_t key, uint32_t active) const {
  const double base = BaseSampleMs(rng, key, active);
  if (slow_fraction > 0.0 && rng.Unit(key, kSlowSliceStream) < slow_fraction) {
    return base * slow_multiplier;
  }
  return base;
}

double ServiceSpec::BaseSampleMs(const CounterRandom& rng, uint64_t key, uint32_t active) const {
  switch (kind) {
    case Kind::kExponential:
      return mean_ms * rng.Exponential(key, kServiceStream);
    case Kind::kLognormal: {
      const double mu = std::log(mean_ms) - 0.5 * sigma * sigma;
      return std::exp(mu + sigma * rng.Normal(key, kServiceStream));
    }
    case Kind::kFixed:
      return std::max(0.0, mean_ms + jitter_ms * (2.0 * rng.Unit(key, kServiceStream) - 1.0));
    case Kind::kSeed:
      return std::max(floor_ms,
                      mean_ms + per_active_ms * active + noise_ms * rng.Normal(key, kNoiseStream));
  }
  return mean_ms;
}

double ServiceSpec::MeanMs(uint32_t active) const {
  const double base =
      kind == Kind::kSeed ? std::max(floor_ms, mean_ms + per_active_ms * active) : mean_ms;
  return base * (1.0 + slow_fraction * (slow_multiplier - 1.0));
}

const char* ServiceSpec::KindName(Kind kind) {
  switch (kind) {
    case Kind::kExponential:
      return "exponential";
    case Kind::kLognormal:
      return "lognormal";
    case Kind::kFixed:
      return "fixed";
    case Kind::kSeed:
      return "seed";
  }
  return "?";
}

}  // namespace huddle::sim
