#include "core/thermal/adaptive_thresholds.h"

#include <algorithm>
#include <span>

#include "core/thermal/median.h"

namespace huddle::core {

AdaptiveThresholds::AdaptiveThresholds(double base_heat, double base_cool, size_t window,
                                       Duration interval)
    : base_heat_(base_heat),
      base_cool_(base_cool),
      interval_(interval),
      window_(window),
      scratch_(window),
      heat_(base_heat),
      cool_(base_cool) {}

double AdaptiveThresholds::Adjustment(double ratio) {
  if (ratio > 1.5) return kMaxAdjust;
  if (ratio < 0.7) return -kMaxAdjust;
  // Linear between the two bands, as in the seed's code: -0.10 at 0.7, +0.10 at 1.5. Note it
  // is centred on 1.1, so a steady cluster (ratio 1) tightens by 0.025.
  return ((ratio - 0.7) / 0.8 * 2.0 - 1.0) * kMaxAdjust;
}

bool AdaptiveThresholds::Update(TimePoint now) {
  if (!window_.full()) return false;
  if (updated_once_ && now - last_update_ < interval_) return false;
  const size_t n = window_.size();
  const size_t half = n / 2;
  const size_t recent = std::max<size_t>(3, half / 2);
  for (size_t i = 0; i < half; ++i) scratch_[i] = window_.At(i);
  const double older = MedianInPlace(std::span<double>(scratch_.data(), half));
  for (size_t i = 0; i < recent; ++i) scratch_[i] = window_.At(n - recent + i);
  const double latest = MedianInPlace(std::span<double>(scratch_.data(), recent));
  last_ratio_ = latest / std::max(older, 1.0);
  const double adj = Adjustment(last_ratio_);
  heat_ = std::clamp(base_heat_ + adj, kMinHeat, kMaxHeat);
  cool_ = std::clamp(base_cool_ + adj / 2.0, kMinCool, heat_ - kMinGap);
  updated_once_ = true;
  last_update_ = now;
  return true;
}

}  // namespace huddle::core
