#include "core/control/damped_holt.h"

#include <cmath>

namespace huddle::core {

Result<DampedHoltOptions> DampedHoltOptions::Parse(const OptionMap& options) {
  DampedHoltOptions o;
  OptionReader r(options, "holt");
  const OptionRange unit{.min = 0, .max = 1, .min_exclusive = true};
  o.alpha = r.Double("alpha", o.alpha, unit);
  o.beta = r.Double("beta", o.beta, unit);
  o.phi = r.Double("phi", o.phi, unit);
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

void DampedHolt::Add(double y) {
  if (!std::isfinite(y)) return;
  ++samples_;
  if (samples_ == 1) {
    level_ = y;
    trend_ = 0.0;
    return;
  }
  if (samples_ == 2) {
    trend_ = y - level_;
    level_ = y;
    return;
  }
  const double a = options_.alpha;
  const double b = options_.beta;
  const double phi = options_.phi;
  const double previous = level_;
  level_ = a * y + (1.0 - a) * (previous + phi * trend_);
  trend_ = b * (level_ - previous) + (1.0 - b) * phi * trend_;
}

double DampedHolt::Forecast(double h) const {
  const double phi = options_.phi;
  // Sum of phi^1..phi^h = phi (1 - phi^h) / (1 - phi); h for phi = 1.
  const double damped = phi >= 1.0 ? h : phi * (1.0 - std::pow(phi, h)) / (1.0 - phi);
  return level_ + damped * trend_;
}

}  // namespace huddle::core
