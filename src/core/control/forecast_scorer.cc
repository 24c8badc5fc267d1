#include "core/control/forecast_scorer.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace huddle::core {

ForecastScorer::ForecastScorer(size_t horizon_steps, size_t window)
    : forecasts_(std::max<size_t>(horizon_steps, 1)),
      actuals_(forecasts_.size()),
      abs_errors_(window),
      pct_errors_(window),
      naive_errors_(window) {}

void ForecastScorer::Add(double actual, double forecast_h_ahead) {
  if (!std::isfinite(actual)) return;
  const size_t slot = steps_ % forecasts_.size();
  if (steps_ >= forecasts_.size()) {
    const double error = std::abs(actual - forecasts_[slot]);
    if (std::isfinite(error)) {
      abs_errors_.Add(error);
      naive_errors_.Add(std::abs(actual - actuals_[slot]));
      if (actual != 0.0) pct_errors_.Add(error / std::abs(actual));
    }
  }
  forecasts_[slot] = forecast_h_ahead;
  actuals_[slot] = actual;
  ++steps_;
}

double ForecastScorer::Mase() const {
  const double mae = Mae();
  const double naive = naive_errors_.Mean();
  if (naive > 0.0) return mae / naive;
  return mae > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
}

}  // namespace huddle::core
