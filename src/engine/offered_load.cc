#include "engine/offered_load.h"

#include <algorithm>
#include <cmath>

namespace huddle::engine {

double OfferedLoad::First() const { return std::max(0.0, level_ + trend_); }

void OfferedLoad::Add(double attempts, double failed, double dt) {
  if (!std::isfinite(attempts) || !std::isfinite(failed) || attempts < 0) return;
  failed = std::clamp(failed, 0.0, attempts);
  dt = std::max(1e-3, dt);
  // First attempts: what arrived minus the echo expected from the previous tick's failures
  // (never less than the retry budget allows).
  const double first =
      has_ ? std::max(attempts - echo_, attempts / (1.0 + options_.retry_budget)) : attempts;
  if (!has_) {
    level_ = first;
    trend_ = 0.0;
    has_ = true;
  } else {
    const double predicted = First();
    const double e = first - predicted;
    // Poisson spread of a rate counted over dt: sqrt(rate / dt).
    const double sigma = std::sqrt(std::max(predicted, 1.0) / dt);
    if (e > options_.jump_sigmas * sigma) {
      // A surge: take it as it is and extrapolate one tick while it rises.
      trend_ = std::max(0.0, first - last_first_);
      level_ = first;
    } else if (e < -options_.jump_sigmas * sigma) {
      level_ = first;
      trend_ = 0.0;
    } else {
      level_ = predicted + options_.alpha * e;
      trend_ += options_.alpha * options_.beta * e;
    }
  }
  last_first_ = first;
  echo_ = std::min(options_.retry_budget * First(), failed);
}

}  // namespace huddle::engine
