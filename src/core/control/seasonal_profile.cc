#include "core/control/seasonal_profile.h"

#include <algorithm>
#include <cmath>

namespace huddle::core {

SeasonalProfile::SeasonalProfile(const SeasonalProfileOptions& options)
    : options_(options),
      ring_(std::max<size_t>(options.max_buckets, 2), 0.0),
      diff_(std::max<size_t>(options.max_buckets, 2) + 1, 0.0) {
  options_.bucket_steps = std::max<size_t>(options_.bucket_steps, 1);
  options_.min_period = std::max<size_t>(options_.min_period, 2);
}

void SeasonalProfile::Add(double y) {
  if (!std::isfinite(y)) return;
  ++steps_;
  sum_ += y;
  if (++filled_ < options_.bucket_steps) return;
  ring_[count_ % ring_.size()] = sum_ / static_cast<double>(filled_);
  ++count_;
  sum_ = 0.0;
  filled_ = 0;
  Detect();
}

void SeasonalProfile::Detect() {
  const size_t n = std::min(count_, ring_.size());
  const size_t base = count_ - n;
  period_ = 0;
  double cumulative = 0.0;
  size_t found = 0;
  size_t last = 0;
  for (size_t lag = 1; lag < n; ++lag) {
    const size_t pairs = n - lag;
    const double needed = std::max(8.0, std::ceil(options_.min_overlap * static_cast<double>(lag)));
    if (static_cast<double>(pairs) < needed) break;
    double sum = 0.0;
    for (size_t i = base; i + lag < count_; ++i) {
      const double e = Bucket(i + lag) - Bucket(i);
      sum += e * e;
    }
    const double d = sum / static_cast<double>(pairs);
    cumulative += d;
    diff_[lag] = cumulative > 0.0 ? d * static_cast<double>(lag) / cumulative : 1.0;
    last = lag;
    if (found == 0 && lag >= options_.min_period && diff_[lag] < options_.threshold) found = lag;
    // The local minimum after the first lag under the threshold: stop once d' rises again.
    if (found != 0 && lag > found && diff_[lag] >= diff_[lag - 1]) break;
  }
  if (found == 0) return;
  size_t best = found;
  for (size_t lag = found + 1; lag <= last && diff_[lag] < diff_[best]; ++lag) best = lag;
  period_ = best;
}

double SeasonalProfile::At(double u) const {
  const size_t n = std::min(count_, ring_.size());
  const double lo = static_cast<double>(count_ - n);
  const double hi = static_cast<double>(count_ - 1);
  u = std::clamp(u, lo, hi);
  const auto j = static_cast<size_t>(std::floor(u));
  const double frac = u - static_cast<double>(j);
  if (j + 1 > count_ - 1 || frac <= 0.0) return Bucket(j);
  return (1.0 - frac) * Bucket(j) + frac * Bucket(j + 1);
}

double SeasonalProfile::Forecast(double h) const {
  if (period_ == 0 || count_ == 0) return 0.0;
  const double b = static_cast<double>(options_.bucket_steps);
  const double target = static_cast<double>(steps_ - 1) + h - static_cast<double>(period_) * b;
  const double u = (target - (b - 1.0) / 2.0) / b;
  // Level: how far the latest buckets sit above the same phase one period earlier.
  const size_t n = std::min(count_, ring_.size());
  const size_t oldest = count_ - n;
  double offset = 0.0;
  size_t k = 0;
  for (size_t j = count_; j > oldest && k < 5; --j, ++k) {
    if (j - 1 < oldest + period_) break;
    offset += Bucket(j - 1) - Bucket(j - 1 - period_);
  }
  if (k > 0) offset /= static_cast<double>(k);
  return At(u) + offset;
}

}  // namespace huddle::core
