#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/control/capacity_timeline.h"
#include "core/control/demand_scenarios.h"
#include "core/error.h"
#include "core/options.h"
#include "core/random.h"
#include "core/time.h"

namespace huddle::core {

// Option keys: horizon, step, scenarios, saturation_rho, hold, shock_probability, shock_factor,
// shock_duration.
struct MonteCarloOptions {
  Duration horizon = FromSeconds(60);
  Duration step = FromSeconds(1);
  size_t scenarios = 200;        // LoadEquilibrium's default is 1 path; one path is no probability
  double saturation_rho = 0.90;  // "saturated": rho >= this ...
  Duration hold = FromSeconds(5);  // ... held this long
  double shock_probability = 0.0;  // see ScenarioShape
  double shock_factor = 2.0;
  Duration shock_duration = FromSeconds(10);

  size_t steps() const;
  static Result<MonteCarloOptions> Parse(const OptionMap& options);
};

// What the projection found.
struct ProjectionResult {
  double saturation_probability = 0.0;       // share of scenarios that saturate within the horizon
  double median_time_to_saturation_s = 0.0;  // over saturating scenarios; +inf if none
  double peak_rho_p50 = 0.0;                 // median over scenarios of the highest rho on the path
  double peak_rho_p90 = 0.0;
  size_t scenarios = 0;
};

// Forward projection of one service over the horizon: S demand scenarios around the forecast
// (DemandScenarios), against the capacity the service will have (CapacityTimeline at its current
// target, so replicas already requested arrive when they are due), giving the probability that
// rho = lambda / (replicas mu) stays >= saturation_rho for `hold` somewhere in the horizon.
// Saturation time is when the hold starts. Randomness comes from the caller's Random.
// Memory: the scenario matrix and per-scenario scratch, allocated at construction; Project()
// never allocates. Not thread-safe.
class MonteCarloProjection {
 public:
  explicit MonteCarloProjection(const MonteCarloOptions& options = {});

  // `forecast[k]`: expected demand (rps) at time (k + 1) step; REQUIRES forecast.size() >=
  // options.steps(). `sigma`: log-volatility per step. `mu_per_replica` in rps. `target`: the
  // replica target currently in force.
  ProjectionResult Project(std::span<const double> forecast, double sigma, double mu_per_replica,
                           const CapacityTimeline& capacity, double target, Random& random);

  const DemandScenarios& last_scenarios() const { return scenarios_; }
  const MonteCarloOptions& options() const { return options_; }

 private:
  MonteCarloOptions options_;
  DemandScenarios scenarios_;
  std::vector<double> peaks_;
  std::vector<double> times_;
};

}  // namespace huddle::core
