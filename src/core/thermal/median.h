#pragma once

#include <algorithm>
#include <span>

namespace huddle::core {

// Median of `values` (the mean of the two middle values for an even count), 0 when empty.
// Reorders `values`; O(n) and no allocation, for the model's per-rotation baselines over a
// scratch buffer (stats/sliding_window.h does the same for one window's own samples).
inline double MedianInPlace(std::span<double> values) {
  const size_t n = values.size();
  if (n == 0) return 0.0;
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(values.begin(), mid, values.end());
  if (n % 2 == 1) return *mid;
  const double upper = *mid;
  const double lower = *std::max_element(values.begin(), mid);
  return (lower + upper) / 2.0;
}

}  // namespace huddle::core
