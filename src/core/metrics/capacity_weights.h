#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/random.h"

namespace huddle::core {

// Integer routing weights from spare capacities, and the cumulative array to pick by them, as in
// Akka's AdaptiveLoadBalancingRoutingLogic / WeightedRoutees:
//   1. Among positions with a capacity c_i: w_i = round(c_i / max(0.01, min_j c_j)). The least
//      loaded backend gets the most weight; 1 % is the lowest usable capacity (it also avoids a
//      division by zero), so weights run from 0 to 100.
//   2. Positions without a capacity get the integer mean of those weights (truncated, as Akka's
//      Int division); with no capacity at all every weight is 1 (uniform before any metrics).
//   3. Optional per-position multipliers (routing-table weights, > 0) scale the result: when they
//      are all equal they change nothing, otherwise effective_i = round(w_i * m_i / max m * 100),
//      at least 1 when w_i > 0 (table weights resolved to 1 % of the largest).
//   4. If every effective weight is 0 (all backends saturated) the capacities are ignored and the
//      weights fall back to step 3 with every w_i = 1. Akka would throw here (nextInt(0)).
//   5. Pick: a uniform integer v in [1, total], then the first position whose cumulative weight
//      is >= v (binary search). Unlike Akka's Arrays.binarySearch, which may land on any of
//      several equal entries, this never returns a position of weight 0.
// Rebuild() may allocate (it runs off the request path); total(), Select() and Pick() never do.
// Not thread-safe.
class CapacityWeights {
 public:
  // Steps 1 and 2 alone. REQUIRES: out.size() == capacities.size(); capacities in [0, 1].
  static void AkkaWeights(std::span<const std::optional<double>> capacities,
                          std::span<uint32_t> out);

  // Steps 1 to 4 and the cumulative array. `multipliers` is empty (all equal) or has one entry
  // per capacity; entries that are not finite and positive count as 0.
  void Rebuild(std::span<const std::optional<double>> capacities,
               std::span<const double> multipliers = {});

  size_t size() const { return capacity_weights_.size(); }
  bool empty() const { return capacity_weights_.empty(); }
  // Sum of the effective weights; 0 only when empty().
  uint64_t total() const { return cumulative_.empty() ? 0 : cumulative_.back(); }
  // Akka's integer weight of position i (steps 1 and 2).
  uint32_t capacity_weight(size_t i) const { return capacity_weights_[i]; }
  // The weight position i is picked by (steps 3 and 4).
  uint64_t effective_weight(size_t i) const {
    return cumulative_[i] - (i == 0 ? 0 : cumulative_[i - 1]);
  }

  // The position that the value v in [1, total()] falls on. REQUIRES: 1 <= v <= total().
  size_t Select(uint64_t v) const;
  // A position drawn with probability effective_weight / total; nullopt when empty().
  std::optional<size_t> Pick(Random& rng) const;

  // Resolution of unequal multipliers (step 3).
  static constexpr double kMultiplierResolution = 100.0;
  // Akka: "lowest usable capacity is 1% (>= 0.5% will be rounded to weight 1)".
  static constexpr double kMinDivisor = 0.01;

 private:
  // Fills cumulative_ from capacity weights `w` and the multipliers; returns the total.
  uint64_t Accumulate(std::span<const uint32_t> w, std::span<const double> multipliers);

  std::vector<uint32_t> capacity_weights_;
  std::vector<uint32_t> ones_;  // all 1, for the step 4 fallback
  std::vector<uint64_t> cumulative_;
};

}  // namespace huddle::core
