#pragma once

#include <cstddef>
#include <span>

namespace huddle::core {

// Ordinary least squares fit y = intercept + slope * x, with the coefficient of determination.
struct LinearFit {
  double intercept = 0.0;
  double slope = 0.0;
  double r_squared = 0.0;        // 1 - SS_res / SS_tot; 1 when y is constant and fitted exactly
  double residual_stddev = 0.0;  // sqrt(SS_res / (n - 2)); 0 when n <= 2
  size_t n = 0;

  double Predict(double x) const { return intercept + slope * x; }
};

// Fits y on x. With fewer than two points, or all x equal, the slope is 0 and the intercept is
// the mean of y. REQUIRES: x.size() == y.size().
LinearFit FitLine(std::span<const double> x, std::span<const double> y);

}  // namespace huddle::core
