#pragma once

#include <cstddef>
#include <deque>

namespace huddle::core {

enum class LoadTrend { kStable, kIncreasing, kDecreasing };

// The adaptive task balancer's dynamic utilisation thresholds, by the seed's pseudocode. Each
// balancing round adds the system load (mean worker utilisation); Update() then, once at least
// `min_records` loads are known:
//   avg   = mean of the last 5 loads; slope = OLS slope of the last `trend_window` loads per round
//   f     = rate * 1.5 if slope > 0.01; rate * 0.5 if slope < -0.01; else rate
//   avg > 0.75: high -= 1.2 f, low += 0.8 f     avg < 0.3: high += 0.8 f, low -= 1.2 f
//   otherwise : high -= f, low += f if avg > 0.5, else high += f, low -= f
//   high clamped to [0.6, 0.95], low to [0.1, 0.4], then high - low >= 0.3 is restored by moving
//   the threshold that was adjusted downwards less (the pseudocode's rule).
// The thresholds accumulate from round to round (they are state, not a function of the window).
// Not thread-safe.
class DynamicThresholds {
 public:
  static constexpr double kMinHigh = 0.6;
  static constexpr double kMaxHigh = 0.95;
  static constexpr double kMinLow = 0.1;
  static constexpr double kMaxLow = 0.4;
  static constexpr double kMinSeparation = 0.3;
  static constexpr size_t kRecentLoads = 5;

  // REQUIRES: 0 <= low < high <= 1, rate >= 0, trend_window >= 2.
  DynamicThresholds(double initial_high, double initial_low, double rate, size_t min_records = 5,
                    size_t trend_window = 10);

  void AddSystemLoad(double load);
  // Adjusts the thresholds; returns false (and changes nothing) with too few records.
  bool Update();

  double high() const { return high_; }
  double low() const { return low_; }
  double initial_high() const { return initial_high_; }
  double initial_low() const { return initial_low_; }
  LoadTrend trend() const { return trend_; }
  double slope() const { return slope_; }
  double recent_average() const { return recent_average_; }
  size_t records() const { return loads_.size(); }

 private:
  double initial_high_;
  double initial_low_;
  double rate_;
  size_t min_records_;
  size_t trend_window_;
  std::deque<double> loads_;  // at most trend_window_ (and at least kRecentLoads) kept
  double high_;
  double low_;
  LoadTrend trend_ = LoadTrend::kStable;
  double slope_ = 0.0;
  double recent_average_ = 0.0;
};

}  // namespace huddle::core
