#include "core/control/ewma_crossover.h"

#include <cmath>

namespace huddle::core {

Result<EwmaCrossoverOptions> EwmaCrossoverOptions::Parse(const OptionMap& options) {
  EwmaCrossoverOptions o;
  OptionReader r(options, "ewma_crossover");
  const OptionRange alpha{.min = 0, .max = 1, .min_exclusive = true};
  o.fast_alpha = r.Double("fast_alpha", o.fast_alpha, alpha);
  o.slow_alpha = r.Double("slow_alpha", o.slow_alpha, alpha);
  o.threshold = r.Double("threshold", o.threshold, {.min = 0, .max = 10});
  if (o.fast_alpha <= o.slow_alpha) r.Problem("fast_alpha must be above slow_alpha");
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

EwmaCrossover::EwmaCrossover(const EwmaCrossoverOptions& options)
    : options_(options), fast_(options.fast_alpha), slow_(options.slow_alpha) {}

double EwmaCrossover::signal() const {
  const double slow = slow_.value();
  return slow != 0.0 ? (fast_.value() - slow) / std::abs(slow) : 0.0;
}

Crossover EwmaCrossover::Add(double y) {
  if (!std::isfinite(y)) return Crossover::kNone;
  fast_.Add(y);
  slow_.Add(y);
  const double s = signal();
  if (s > options_.threshold && state_ != 1) {
    state_ = 1;
    return Crossover::kUp;
  }
  if (s < -options_.threshold && state_ != -1) {
    state_ = -1;
    return Crossover::kDown;
  }
  return Crossover::kNone;
}

}  // namespace huddle::core
