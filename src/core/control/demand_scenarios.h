#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/random.h"

namespace huddle::core {

// One standard normal draw by Box-Muller from two uniforms (uses the cosine branch only, so each
// call consumes exactly two values of `random`: scripted tests can predict it).
double StandardNormal(Random& random);

// Shape of the random demand paths around a forecast.
struct ScenarioShape {
  double sigma = 0.05;             // log-volatility per step
  double shock_probability = 0.0;  // chance that a scenario carries a load shock
  double shock_factor = 2.0;       // the shock multiplies demand by this (LoadEquilibrium: 2x)
  size_t shock_steps = 10;         // how long a shock lasts, in steps
};

// S demand paths of H steps around a forecast path f_1..f_H: a log-normal random walk,
//   lambda_k^s = f_k exp(sigma W_k^s - sigma^2 k / 2),  W_k = W_{k-1} + N(0, 1),
// so each path has mean f_k and log-variance sigma^2 k at step k (the spread of the reference's
// exp(sigma sqrt(k) z - sigma^2 k / 2), with paths that can cross). A shocked scenario multiplies
// `shock_steps` consecutive steps, starting at a uniform step, by `shock_factor`.
// Memory: S x H doubles, allocated at construction; Generate() never allocates.
// Not thread-safe.
class DemandScenarios {
 public:
  DemandScenarios(size_t scenarios, size_t steps);

  // Fills every path. REQUIRES: forecast.size() >= steps(). Negative or NaN forecasts count as 0.
  void Generate(std::span<const double> forecast, const ScenarioShape& shape, Random& random);

  size_t scenarios() const { return scenarios_; }
  size_t steps() const { return steps_; }
  // Demand of scenario s at step k (0-based: step k is time (k + 1) dt).
  double At(size_t s, size_t k) const { return paths_[s * steps_ + k]; }
  std::span<const double> Path(size_t s) const {
    return std::span<const double>(paths_.data() + s * steps_, steps_);
  }

 private:
  size_t scenarios_;
  size_t steps_;
  std::vector<double> paths_;
};

}  // namespace huddle::core
