#pragma once

#include "core/error.h"
#include "core/options.h"
#include "core/stats/ewma.h"

namespace huddle::core {

// Direction of a fast/slow crossover.
enum class Crossover { kNone, kUp, kDown };

// Option keys: fast_alpha, slow_alpha, threshold.
struct EwmaCrossoverOptions {
  double fast_alpha = 0.30;
  double slow_alpha = 0.10;
  double threshold = 0.05;  // |signal| needed to enter a trend state (hysteresis band)

  static Result<EwmaCrossoverOptions> Parse(const OptionMap& options);
};

// Fast/slow EWMA crossover, the trend trigger of moving-average trading systems and of
// LoadEquilibrium's signal stage: signal = (fast - slow) / slow. The state turns "rising" when the
// signal goes above +threshold and "falling" below -threshold, and stays until the opposite band
// is crossed; Add() reports the moment of each change. Not thread-safe; no allocation.
class EwmaCrossover {
 public:
  explicit EwmaCrossover(const EwmaCrossoverOptions& options = {});

  Crossover Add(double y);

  double signal() const;
  double fast() const { return fast_.value(); }
  double slow() const { return slow_.value(); }
  // +1 rising, -1 falling, 0 neither yet.
  int state() const { return state_; }

 private:
  EwmaCrossoverOptions options_;
  Ewma fast_;
  Ewma slow_;
  int state_ = 0;
};

}  // namespace huddle::core
