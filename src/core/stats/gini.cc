#include "core/stats/gini.h"

#include <algorithm>
#include <vector>

namespace huddle::core {

double Gini(std::span<const double> values) {
  const size_t n = values.size();
  if (n == 0) return 0.0;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  // With x sorted ascending: sum_i sum_j |x_i - x_j| = 2 * sum_i (2i - n + 1) x_i (0-based i).
  double total = 0.0;
  double weighted = 0.0;
  for (size_t i = 0; i < n; ++i) {
    total += sorted[i];
    weighted += (2.0 * static_cast<double>(i) - static_cast<double>(n) + 1.0) * sorted[i];
  }
  if (total <= 0.0) return 0.0;
  return weighted / (static_cast<double>(n) * total);
}

}  // namespace huddle::core
