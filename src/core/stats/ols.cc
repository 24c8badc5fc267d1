#include "core/stats/ols.h"

#include <algorithm>
#include <cmath>

namespace huddle::core {

LinearFit FitLine(std::span<const double> x, std::span<const double> y) {
  LinearFit fit;
  fit.n = x.size();
  if (fit.n == 0) return fit;
  const double n = static_cast<double>(fit.n);
  double mean_x = 0.0;
  double mean_y = 0.0;
  for (size_t i = 0; i < fit.n; ++i) {
    mean_x += x[i];
    mean_y += y[i];
  }
  mean_x /= n;
  mean_y /= n;
  // Centred sums: numerically safer than the textbook sum-of-products form.
  double sxx = 0.0;
  double sxy = 0.0;
  double syy = 0.0;
  for (size_t i = 0; i < fit.n; ++i) {
    const double dx = x[i] - mean_x;
    const double dy = y[i] - mean_y;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  fit.slope = sxx > 0.0 ? sxy / sxx : 0.0;
  fit.intercept = mean_y - fit.slope * mean_x;
  const double ss_res = std::max(0.0, syy - fit.slope * sxy);
  fit.r_squared = syy > 0.0 ? 1.0 - ss_res / syy : 1.0;
  if (sxx == 0.0 && syy > 0.0) fit.r_squared = 0.0;
  fit.residual_stddev = fit.n > 2 ? std::sqrt(ss_res / (n - 2.0)) : 0.0;
  return fit;
}

}  // namespace huddle::core
