#include "core/health/slow_start.h"

#include <algorithm>
#include <cmath>

namespace huddle::core {

Result<SlowStartOptions> SlowStartOptions::Parse(const OptionMap& options) {
  SlowStartOptions o;
  OptionReader r(options, "slow_start");
  o.window = r.Time("window", o.window, {.min = 0});
  o.aggression = r.Double("aggression", o.aggression, {.min = 0, .min_exclusive = true});
  o.min_weight_percent =
      r.Double("min_weight_percent", o.min_weight_percent, {.min = 0, .max = 100});
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

double SlowStartFactor(const SlowStartOptions& options, Duration since_ready) {
  if (!InSlowStart(options, since_ready)) return 1.0;
  // Envoy floors the elapsed time at one second so that a host ready "just now" still gets a
  // non-zero time factor before the min_weight_percent floor is even applied.
  const double elapsed_s = std::max(ToSeconds(since_ready), 1.0);
  const double time_factor = elapsed_s / ToSeconds(options.window);
  const double ramp = std::pow(time_factor, 1.0 / options.aggression);
  return std::clamp(std::max(options.min_weight_percent / 100.0, ramp), 0.0, 1.0);
}

}  // namespace huddle::core
