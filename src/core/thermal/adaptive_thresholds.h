#pragma once

#include <cstddef>
#include <vector>

#include "core/stats/sliding_window.h"
#include "core/time.h"

namespace huddle::core {

// HuddleCluster's adaptive heat and cool thresholds. The model feeds one sample of the cluster's
// P95 latency (mean of the inner servers' P95) per rotation; every `interval`, once the window of
// the last `window` samples is full, the thresholds are recomputed from the base values:
//   ratio = median(recent max(3, half/2) samples) / max(median(older half), 1 ms)
//   adj   = +0.10 if ratio > 1.5; -0.10 if ratio < 0.7; else ((ratio - 0.7)/0.8 * 2 - 1) * 0.10
//   heat  = clamp(base_heat + adj, 0.35, 0.85);  cool = clamp(base_cool + adj/2, 0.10, heat - 0.15)
// A rising P95 loosens both thresholds (fewer evictions when the whole cluster is loaded); a
// falling one tightens them. Nothing accumulates: each update starts from the base values, so
// the thresholds stay within the bounds above. Not thread-safe; allocates only at construction.
class AdaptiveThresholds {
 public:
  static constexpr double kMaxAdjust = 0.10;
  static constexpr double kMinHeat = 0.35;
  static constexpr double kMaxHeat = 0.85;
  static constexpr double kMinCool = 0.10;
  static constexpr double kMinGap = 0.15;  // cool stays at least this far below heat

  // REQUIRES: window >= 4, interval > 0.
  AdaptiveThresholds(double base_heat, double base_cool, size_t window, Duration interval);

  void AddSample(double cluster_p95_ms) { window_.Add(cluster_p95_ms); }

  // Recomputes heat and cool when the window is full and `interval` has passed since the last
  // recomputation (the first one happens as soon as the window is full). Returns true if it did.
  bool Update(TimePoint now);

  double heat() const { return heat_; }
  double cool() const { return cool_; }
  double last_ratio() const { return last_ratio_; }
  size_t samples() const { return window_.size(); }

  // The adjustment for a recent/older P95 ratio (public for tests and docs).
  static double Adjustment(double ratio);

 private:
  double base_heat_;
  double base_cool_;
  Duration interval_;
  SlidingWindow window_;
  std::vector<double> scratch_;
  double heat_;
  double cool_;
  double last_ratio_ = 1.0;
  bool updated_once_ = false;
  TimePoint last_update_{};
};

}  // namespace huddle::core
