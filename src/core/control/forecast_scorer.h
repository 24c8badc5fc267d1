#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/stats/sliding_window.h"

namespace huddle::core {

// Scores an online forecaster at its decision horizon h (in steps), not one step ahead. Each
// step the caller passes the actual value y_t and the forecast it makes now for t + h; the scorer
// pairs y_t with the forecast made h steps earlier and keeps the last `window` errors:
//   MAE  = mean |y_t - f_{t|t-h}|
//   MAPE = 100 mean |y_t - f_{t|t-h}| / |y_t|     (steps with y_t = 0 are left out)
//   MASE = MAE / mean |y_t - y_{t-h}|            (Hyndman & Koehler 2006, with the h-step naive
//          "no change" forecast scored over the same window: MASE < 1 beats no change)
// Memory: rings of h and `window` doubles, allocated at construction; Add() never allocates.
// Not thread-safe.
class ForecastScorer {
 public:
  // REQUIRES: horizon_steps >= 1, window >= 1.
  ForecastScorer(size_t horizon_steps, size_t window);

  void Add(double actual, double forecast_h_ahead);

  size_t scored() const { return abs_errors_.size(); }
  double Mae() const { return abs_errors_.Mean(); }
  double Mape() const { return 100.0 * pct_errors_.Mean(); }
  // +inf when the naive forecast was perfect and this one was not; 0 when both were perfect.
  double Mase() const;
  size_t horizon_steps() const { return forecasts_.size(); }

 private:
  std::vector<double> forecasts_;  // forecasts_[t mod h]: made at step t for step t + h
  std::vector<double> actuals_;    // actuals_[t mod h]: y_t
  uint64_t steps_ = 0;
  SlidingWindow abs_errors_;
  SlidingWindow pct_errors_;
  SlidingWindow naive_errors_;
};

}  // namespace huddle::core
