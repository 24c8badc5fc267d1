#include "core/metrics/capacity_weights.h"

#include <algorithm>
#include <cmath>

namespace huddle::core {
namespace {

bool UsableMultiplier(double m) { return std::isfinite(m) && m > 0.0; }

}  // namespace

void CapacityWeights::AkkaWeights(std::span<const std::optional<double>> capacities,
                                  std::span<uint32_t> out) {
  double min_capacity = 1.0;
  uint64_t with_capacity = 0;
  for (const std::optional<double>& c : capacities) {
    if (!c) continue;
    min_capacity = std::min(min_capacity, *c);
    ++with_capacity;
  }
  const double divisor = std::max(kMinDivisor, min_capacity);
  uint64_t sum = 0;
  for (size_t i = 0; i < capacities.size(); ++i) {
    if (!capacities[i]) continue;
    // Capacities are in [0, 1] and divisor >= 0.01, so the weight is at most 100.
    const double c = std::clamp(*capacities[i], 0.0, 1.0);
    out[i] = static_cast<uint32_t>(std::llround(c / divisor));
    sum += out[i];
  }
  // Akka: meanWeight = if (weights.isEmpty) 1 else weights.values.sum / weights.size.
  const uint32_t mean = with_capacity == 0 ? 1 : static_cast<uint32_t>(sum / with_capacity);
  for (size_t i = 0; i < capacities.size(); ++i) {
    if (!capacities[i]) out[i] = mean;
  }
}

void CapacityWeights::Rebuild(std::span<const std::optional<double>> capacities,
                              std::span<const double> multipliers) {
  const size_t n = capacities.size();
  capacity_weights_.resize(n);
  cumulative_.resize(n);
  AkkaWeights(capacities, capacity_weights_);
  if (multipliers.size() != n) multipliers = {};
  if (n > 0 && Accumulate(capacity_weights_, multipliers) == 0) {
    ones_.assign(n, 1);
    if (Accumulate(ones_, multipliers) == 0) Accumulate(ones_, {});
  }
}

uint64_t CapacityWeights::Accumulate(std::span<const uint32_t> w,
                                     std::span<const double> multipliers) {
  bool equal = true;
  double max_multiplier = 0.0;
  for (double m : multipliers) {
    if (!UsableMultiplier(m) || m != multipliers.front()) equal = false;
    if (UsableMultiplier(m)) max_multiplier = std::max(max_multiplier, m);
  }
  uint64_t sum = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    uint64_t effective = w[i];
    if (!equal) {
      const double m = multipliers[i];
      if (w[i] == 0 || !UsableMultiplier(m)) {
        effective = 0;
      } else {
        const double scaled = w[i] * (m / max_multiplier) * kMultiplierResolution;
        effective = std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(scaled)));
      }
    }
    sum += effective;
    cumulative_[i] = sum;
  }
  return sum;
}

size_t CapacityWeights::Select(uint64_t v) const {
  const auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), v);
  return static_cast<size_t>(it - cumulative_.begin());
}

std::optional<size_t> CapacityWeights::Pick(Random& rng) const {
  const uint64_t t = total();
  if (t == 0) return std::nullopt;
  return Select(rng.Below(t) + 1);
}

}  // namespace huddle::core
