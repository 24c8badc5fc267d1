#pragma once

#include <cstddef>
#include <vector>

#include "core/stats/ols.h"

namespace huddle::core {

// A forecast with its prediction band.
struct Prediction {
  double value = 0.0;
  double low = 0.0;
  double high = 0.0;
};

// Least-squares line over the last `capacity` (x, y) points (x is time in seconds, or a step
// number), refitted on each Add() by FitLine (core/stats/ols.h). Prediction band at x0:
//   y(x0) +- z s sqrt(1 + 1/n + (x0 - xbar)^2 / Sxx)
// (the textbook OLS prediction interval with the normal quantile z for Student's t).
// Memory: rings and scratch of `capacity` doubles, allocated at construction; Add() never
// allocates. Not thread-safe.
class WindowedOls {
 public:
  // REQUIRES: capacity >= 2.
  explicit WindowedOls(size_t capacity);

  // Non-finite points are ignored.
  void Add(double x, double y);
  void Clear();

  const LinearFit& fit() const { return fit_; }
  size_t size() const { return size_; }
  double latest_x() const { return latest_x_; }
  // REQUIRES: size() >= 1.
  Prediction PredictAt(double x0, double z = 1.96) const;
  // The line from its value at the latest x with the slope shrunk towards 0 by z standard errors
  // (sign(b) max(0, |b| - z se(b)), se(b) = s / sqrt(Sxx)): a trend extrapolated only as far as
  // the window's evidence for it goes. Noise in a short window gives a large se(b), so a noise
  // "trend" extrapolates as a level. REQUIRES: size() >= 1.
  double ShrunkTrendAt(double x0, double z) const;
  // Standard error of the slope, s / sqrt(Sxx); 0 with fewer than three points or an exact fit.
  double SlopeStandardError() const;
  // The x at which the fitted line reaches `threshold` going up, measured from the latest x;
  // +inf if the slope is not positive; 0 if the line is already there.
  double TimeToReach(double threshold) const;

 private:
  std::vector<double> xs_;
  std::vector<double> ys_;
  std::vector<double> scratch_x_;
  std::vector<double> scratch_y_;
  size_t next_ = 0;
  size_t size_ = 0;
  double latest_x_ = 0.0;
  double mean_x_ = 0.0;
  double sxx_ = 0.0;
  LinearFit fit_;
};

}  // namespace huddle::core
