#include "core/control/monte_carlo_projection.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/stats/summary.h"

namespace huddle::core {

size_t MonteCarloOptions::steps() const {
  const double n = std::ceil(ToSeconds(horizon) / ToSeconds(step) - 1e-9);
  return static_cast<size_t>(std::max(1.0, n));
}

Result<MonteCarloOptions> MonteCarloOptions::Parse(const OptionMap& options) {
  MonteCarloOptions o;
  OptionReader r(options, "monte_carlo");
  const OptionRange positive{.min = 0, .min_exclusive = true};
  o.horizon = r.Time("horizon", o.horizon, {.min = 0, .max = 3600, .min_exclusive = true});
  o.step = r.Time("step", o.step, positive);
  o.scenarios = static_cast<size_t>(
      r.Int("scenarios", static_cast<int64_t>(o.scenarios), {.min = 1, .max = 100000}));
  o.saturation_rho = r.Double("saturation_rho", o.saturation_rho, positive);
  o.hold = r.Time("hold", o.hold);
  o.shock_probability = r.Double("shock_probability", o.shock_probability, {.min = 0, .max = 1});
  o.shock_factor = r.Double("shock_factor", o.shock_factor, positive);
  o.shock_duration = r.Time("shock_duration", o.shock_duration);
  if (o.step > o.horizon) r.Problem("step must not exceed horizon");
  if (o.steps() > 100000) r.Problem("horizon / step must be at most 100000 steps");
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

MonteCarloProjection::MonteCarloProjection(const MonteCarloOptions& options)
    : options_(options),
      scenarios_(options.scenarios, options.steps()),
      peaks_(scenarios_.scenarios()),
      times_(scenarios_.scenarios()) {}

ProjectionResult MonteCarloProjection::Project(std::span<const double> forecast, double sigma,
                                               double mu_per_replica,
                                               const CapacityTimeline& capacity, double target,
                                               Random& random) {
  const double dt = ToSeconds(options_.step);
  const ScenarioShape shape{
      .sigma = sigma,
      .shock_probability = options_.shock_probability,
      .shock_factor = options_.shock_factor,
      .shock_steps = static_cast<size_t>(std::ceil(ToSeconds(options_.shock_duration) / dt))};
  scenarios_.Generate(forecast, shape, random);
  const size_t steps = scenarios_.steps();
  const double hold_s = ToSeconds(options_.hold);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  size_t saturated = 0;
  for (size_t s = 0; s < scenarios_.scenarios(); ++s) {
    double peak = 0.0;
    double run_start = -1.0;  // time at which the current run of rho >= threshold began
    double hit = kInf;
    for (size_t k = 0; k < steps; ++k) {
      const double t = dt * static_cast<double>(k + 1);
      const double cap = capacity.ReplicasAt(FromSeconds(t), target) * mu_per_replica;
      const double lambda = scenarios_.At(s, k);
      const double rho = cap > 0.0 ? lambda / cap : (lambda > 0.0 ? kInf : 0.0);
      peak = std::max(peak, rho);
      if (rho >= options_.saturation_rho) {
        if (run_start < 0.0) run_start = t;
        // A run of m steps covers m dt seconds of time (each step stands for its interval).
        if (hit == kInf && t - run_start + dt >= hold_s) hit = run_start;
      } else {
        run_start = -1.0;
      }
    }
    peaks_[s] = peak;
    if (hit < kInf) times_[saturated++] = hit;
  }
  ProjectionResult result;
  result.scenarios = scenarios_.scenarios();
  result.saturation_probability =
      static_cast<double>(saturated) / static_cast<double>(result.scenarios);
  std::sort(peaks_.begin(), peaks_.end());
  result.peak_rho_p50 = QuantileOfSorted(peaks_, 0.5);
  result.peak_rho_p90 = QuantileOfSorted(peaks_, 0.9);
  if (saturated > 0) {
    std::sort(times_.begin(), times_.begin() + static_cast<std::ptrdiff_t>(saturated));
    result.median_time_to_saturation_s =
        QuantileOfSorted(std::span<const double>(times_.data(), saturated), 0.5);
  } else {
    result.median_time_to_saturation_s = kInf;
  }
  return result;
}

}  // namespace huddle::core
