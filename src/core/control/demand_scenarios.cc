#include "core/control/demand_scenarios.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace huddle::core {

double StandardNormal(Random& random) {
  const double u1 = 1.0 - random.UnitDouble();  // (0, 1]: log is finite
  const double u2 = random.UnitDouble();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

DemandScenarios::DemandScenarios(size_t scenarios, size_t steps)
    : scenarios_(std::max<size_t>(scenarios, 1)),
      steps_(std::max<size_t>(steps, 1)),
      paths_(scenarios_ * steps_) {}

void DemandScenarios::Generate(std::span<const double> forecast, const ScenarioShape& shape,
                               Random& random) {
  const double sigma = std::isfinite(shape.sigma) ? std::max(0.0, shape.sigma) : 0.0;
  for (size_t s = 0; s < scenarios_; ++s) {
    double* path = paths_.data() + s * steps_;
    double walk = 0.0;
    for (size_t k = 0; k < steps_; ++k) {
      walk += sigma > 0.0 ? StandardNormal(random) : 0.0;
      const double f = forecast[k];
      const double base = std::isfinite(f) && f > 0.0 ? f : 0.0;
      const double step = static_cast<double>(k + 1);
      path[k] = base * std::exp(sigma * walk - 0.5 * sigma * sigma * step);
    }
    if (shape.shock_probability > 0.0 && random.UnitDouble() < shape.shock_probability) {
      const size_t start = static_cast<size_t>(random.Below(steps_));
      const size_t end = std::min(steps_, start + shape.shock_steps);
      for (size_t k = start; k < end; ++k) path[k] *= shape.shock_factor;
    }
  }
}

}  // namespace huddle::core
