#pragma once

#include <span>

namespace huddle::core {

// Gini coefficient of non-negative values: sum_i sum_j |x_i - x_j| / (2 n^2 mean).
// 0 = perfectly even; (n-1)/n = everything on one element. Returns 0 for empty input or an
// all-zero input. O(n log n) on a sorted copy (allocates).
double Gini(std::span<const double> values);

}  // namespace huddle::core
