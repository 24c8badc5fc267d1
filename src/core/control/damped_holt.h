#pragma once

#include "core/error.h"
#include "core/options.h"

namespace huddle::core {

// Option keys: alpha, beta, phi.
struct DampedHoltOptions {
  double alpha = 0.5;  // level smoothing
  double beta = 0.1;   // trend smoothing (beta* in Hyndman's notation)
  double phi = 0.9;    // damping in [0.8, 0.98] in practice; 1 = Holt's linear trend

  static Result<DampedHoltOptions> Parse(const OptionMap& options);
};

// Holt's linear trend with damping (Hyndman & Athanasopoulos, FPP3 8.2), one sample per step:
//   l_t = alpha y_t + (1 - alpha)(l_{t-1} + phi b_{t-1})
//   b_t = beta (l_t - l_{t-1}) + (1 - beta) phi b_{t-1}
//   y_{t+h} = l_t + (phi + phi^2 + ... + phi^h) b_t
// Initialisation: the first sample sets the level (trend 0), the second sets the trend to the
// difference. Not thread-safe; no allocation.
class DampedHolt {
 public:
  explicit DampedHolt(const DampedHoltOptions& options = {}) : options_(options) {}

  void Add(double y);
  // The forecast h >= 0 steps ahead (h may be fractional); 0 before any sample.
  double Forecast(double h) const;

  double level() const { return level_; }
  double trend() const { return trend_; }
  int samples() const { return samples_; }

 private:
  DampedHoltOptions options_;
  double level_ = 0.0;
  double trend_ = 0.0;
  int samples_ = 0;
};

}  // namespace huddle::core
