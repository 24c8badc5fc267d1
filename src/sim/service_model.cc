#include "sim/service_model.h"

#include <algorithm>
#include <cmath>

namespace huddle::sim {
namespace {

// Streams of the counter-based generator used by service draws (other streams live elsewhere).
constexpr uint64_t kServiceStream = 11;
constexpr uint64_t kNoiseStream = 12;

}  // namespace

double ServiceSpec::SampleMs(const CounterRandom& rng, uint64_t key, uint32_t active) const {
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
  if (kind == Kind::kSeed) return std::max(floor_ms, mean_ms + per_active_ms * active);
  return mean_ms;
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
