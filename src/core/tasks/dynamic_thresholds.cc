#include "core/tasks/dynamic_thresholds.h"

#include <algorithm>
#include <vector>

#include "core/stats/ols.h"

namespace huddle::core {

DynamicThresholds::DynamicThresholds(double initial_high, double initial_low, double rate,
                                     size_t min_records, size_t trend_window)
    : initial_high_(initial_high),
      initial_low_(initial_low),
      rate_(rate),
      min_records_(min_records),
      trend_window_(std::max(trend_window, kRecentLoads)),
      high_(initial_high),
      low_(initial_low) {}

void DynamicThresholds::AddSystemLoad(double load) {
  loads_.push_back(load);
  while (loads_.size() > trend_window_) loads_.pop_front();
}

bool DynamicThresholds::Update() {
  if (loads_.size() < min_records_ || loads_.empty()) return false;
  const size_t recent = std::min(kRecentLoads, loads_.size());
  double sum = 0.0;
  for (size_t i = loads_.size() - recent; i < loads_.size(); ++i) sum += loads_[i];
  const double avg = sum / static_cast<double>(recent);
  recent_average_ = avg;

  std::vector<double> x(loads_.size());
  std::vector<double> y(loads_.begin(), loads_.end());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
  slope_ = FitLine(x, y).slope;

  double factor = rate_;
  trend_ = LoadTrend::kStable;
  if (slope_ > 0.01) {
    factor = rate_ * 1.5;
    trend_ = LoadTrend::kIncreasing;
  } else if (slope_ < -0.01) {
    factor = rate_ * 0.5;
    trend_ = LoadTrend::kDecreasing;
  }

  double high_adjust = 0.0;
  double low_adjust = 0.0;
  if (avg > 0.75) {
    high_adjust = -factor * 1.2;
    low_adjust = factor * 0.8;
  } else if (avg < 0.3) {
    high_adjust = factor * 0.8;
    low_adjust = -factor * 1.2;
  } else {
    high_adjust = avg > 0.5 ? -factor : factor;
    low_adjust = avg > 0.5 ? factor : -factor;
  }

  double new_high = std::clamp(high_ + high_adjust, kMinHigh, kMaxHigh);
  double new_low = std::clamp(low_ + low_adjust, kMinLow, kMaxLow);
  if (new_high - new_low < kMinSeparation) {
    if (high_adjust < low_adjust) {
      new_high = new_low + kMinSeparation;
    } else {
      new_low = new_high - kMinSeparation;
    }
  }
  high_ = new_high;
  low_ = new_low;
  return true;
}

}  // namespace huddle::core
