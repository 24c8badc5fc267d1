#include "core/control/windowed_ols.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

namespace huddle::core {

WindowedOls::WindowedOls(size_t capacity)
    : xs_(std::max<size_t>(capacity, 2)),
      ys_(xs_.size()),
      scratch_x_(xs_.size()),
      scratch_y_(xs_.size()) {}

void WindowedOls::Clear() {
  next_ = 0;
  size_ = 0;
  fit_ = LinearFit{};
}

void WindowedOls::Add(double x, double y) {
  if (!std::isfinite(x) || !std::isfinite(y)) return;
  xs_[next_] = x;
  ys_[next_] = y;
  next_ = (next_ + 1) % xs_.size();
  size_ = std::min(size_ + 1, xs_.size());
  latest_x_ = x;
  // Centre x on the latest point: keeps the sums well conditioned for large time stamps.
  double sum_x = 0.0;
  for (size_t i = 0; i < size_; ++i) {
    scratch_x_[i] = xs_[i] - x;
    scratch_y_[i] = ys_[i];
    sum_x += scratch_x_[i];
  }
  fit_ = FitLine(std::span<const double>(scratch_x_.data(), size_),
                 std::span<const double>(scratch_y_.data(), size_));
  mean_x_ = sum_x / static_cast<double>(size_);
  sxx_ = 0.0;
  for (size_t i = 0; i < size_; ++i) sxx_ += (scratch_x_[i] - mean_x_) * (scratch_x_[i] - mean_x_);
}

Prediction WindowedOls::PredictAt(double x0, double z) const {
  const double dx = x0 - latest_x_;
  Prediction p;
  p.value = fit_.Predict(dx);
  const double n = static_cast<double>(std::max<size_t>(size_, 1));
  const double spread = sxx_ > 0.0 ? (dx - mean_x_) * (dx - mean_x_) / sxx_ : 0.0;
  const double half = z * fit_.residual_stddev * std::sqrt(1.0 + 1.0 / n + spread);
  p.low = p.value - half;
  p.high = p.value + half;
  return p;
}

double WindowedOls::SlopeStandardError() const {
  return sxx_ > 0.0 ? fit_.residual_stddev / std::sqrt(sxx_) : 0.0;
}

double WindowedOls::ShrunkTrendAt(double x0, double z) const {
  const double se = SlopeStandardError();
  const double shrunk = std::copysign(std::max(0.0, std::abs(fit_.slope) - z * se), fit_.slope);
  return fit_.Predict(0.0) + shrunk * (x0 - latest_x_);
}

double WindowedOls::TimeToReach(double threshold) const {
  const double now = fit_.Predict(0.0);
  if (now >= threshold) return 0.0;
  if (!(fit_.slope > 0.0)) return std::numeric_limits<double>::infinity();
  return (threshold - now) / fit_.slope;
}

}  // namespace huddle::core
