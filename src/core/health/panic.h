#pragma once

#include <cstddef>

namespace huddle::core {

// Envoy's default healthy panic threshold, in percent.
inline constexpr double kDefaultPanicThresholdPercent = 50.0;

// Panic mode as Envoy defines it (arch_overview/upstream/load_balancing/panic_threshold): when
// fewer than `threshold_percent` % of a cluster's hosts are healthy, the balancer stops trusting
// health and balances over all hosts, healthy or not, so that the few healthy ones are not
// crushed by the whole load. Precisely: panic iff 100 * healthy / total < threshold_percent
// (strictly below: exactly at the threshold is not panic). A threshold of 0 disables panic; an
// empty cluster (total == 0) is never in panic, since there is nothing to balance over.
// Here "healthy" means eligible: passing active checks and not ejected by outlier detection.
inline bool InPanic(size_t healthy, size_t total,
                    double threshold_percent = kDefaultPanicThresholdPercent) {
  if (threshold_percent <= 0 || total == 0) return false;
  // Compared as products to avoid rounding 100 * healthy / total.
  return 100.0 * static_cast<double>(healthy) < threshold_percent * static_cast<double>(total);
}

}  // namespace huddle::core
