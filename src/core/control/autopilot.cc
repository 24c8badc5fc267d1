#include "core/control/autopilot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace huddle::core {

const char* AutopilotModeName(AutopilotMode mode) {
  return mode == AutopilotMode::kEnabled ? "enabled" : "frozen";
}

const char* AutopilotPresetName(AutopilotPreset preset) {
  switch (preset) {
    case AutopilotPreset::kSafe:
      return "safe";
    case AutopilotPreset::kNormal:
      return "normal";
    case AutopilotPreset::kPerformance:
      return "performance";
  }
  return "unknown";
}

AutopilotOptions AutopilotOptions::ForPreset(AutopilotPreset preset) {
  AutopilotOptions o;
  o.preset = preset;
  using Type = ScalingPolicy::Type;
  switch (preset) {
    case AutopilotPreset::kNormal:  // Kubernetes' defaults, setpoint 0.70
      break;
    case AutopilotPreset::kSafe:  // stability first: wider band, slower moves, more headroom
      o.planner.setpoint = 0.65;
      o.planner.w_change = 0.2;
      o.tolerance = 0.15;
      o.hpa.scale_down_window = FromSeconds(600);
      o.hpa.scale_up = {{Type::kPods, 2, FromSeconds(30)}, {Type::kPercent, 50, FromSeconds(30)}};
      o.hpa.scale_down = {{Type::kPercent, 10, FromSeconds(60)}};
      break;
    case AutopilotPreset::kPerformance:  // latency first: low setpoint, fast up, slow down
      o.planner.setpoint = 0.55;
      o.planner.w_slo = 300.0;
      o.tolerance = 0.05;
      o.hpa.scale_down_window = FromSeconds(600);
      o.hpa.scale_up = {{Type::kPods, 8, FromSeconds(15)}, {Type::kPercent, 200, FromSeconds(15)}};
      break;
  }
  return o;
}

Result<AutopilotOptions> AutopilotOptions::Parse(const OptionMap& options) {
  OptionReader r(options, "autopilot");
  const std::string preset = r.String("preset", "normal", {"safe", "normal", "performance"});
  AutopilotOptions o = ForPreset(preset == "safe"          ? AutopilotPreset::kSafe
                                 : preset == "performance" ? AutopilotPreset::kPerformance
                                                           : AutopilotPreset::kNormal);
  o.mode = r.String("mode", "enabled", {"enabled", "frozen"}) == "frozen" ? AutopilotMode::kFrozen
                                                                          : AutopilotMode::kEnabled;
  o.tolerance = r.Double("tolerance", o.tolerance, {.min = 0, .max = 1});
  o.burst_z = r.Double("burst_z", o.burst_z, {.min = 0, .max = 10});
  o.planner.setpoint = r.Double("setpoint", o.planner.setpoint, {.min = 0.05, .max = 1});
  o.planner.rho_ceiling = r.Double("rho_ceiling", o.planner.rho_ceiling, {.min = 0.05, .max = 1});
  o.planner.slo = r.Time("slo", o.planner.slo, {.min = 0, .min_exclusive = true});
  const auto min_replicas = r.Int("min_replicas", o.hpa.min_replicas, {.min = 0, .max = 1e6});
  const auto max_replicas = r.Int("max_replicas", o.hpa.max_replicas, {.min = 1, .max = 1e6});
  o.planner.min_replicas = o.hpa.min_replicas = static_cast<int>(min_replicas);
  o.planner.max_replicas = o.hpa.max_replicas = static_cast<int>(max_replicas);
  o.hpa.scale_down_window = r.Time("scale_down_window", o.hpa.scale_down_window, {.max = 3600});
  o.hpa.scale_up_window = r.Time("scale_up_window", o.hpa.scale_up_window, {.max = 3600});
  o.provisioning_delay = r.Time("provisioning_delay", o.provisioning_delay, {.max = 3600});
  if (min_replicas > max_replicas) r.Problem("min_replicas must not exceed max_replicas");
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

Autopilot::Autopilot(const AutopilotOptions& options)
    : options_(options), planner_(options.planner), stabilizer_(options.hpa) {}

AutopilotDecision Autopilot::Decide(const AutopilotInput& input, TimePoint now, Random& random) {
  AutopilotDecision d;
  d.current = input.current;
  PlannerInput planner_input = input.planner;
  planner_input.capacity.provisioning_delay = options_.provisioning_delay;
  d.plan = planner_.Recommend(planner_input, random);
  // The HPA's tolerance band, on the utilisation the current target would have when a decision
  // taken now could take effect.
  const double dt = ToSeconds(options_.planner.step);
  const size_t steps = std::min(planner_input.forecast.size(), options_.planner.horizon_steps);
  // forecast[k] is the demand at (k + 1) dt: the step that ends at the provisioning delay.
  const double steps_to_delay = std::ceil(ToSeconds(options_.provisioning_delay) / dt - 1e-9);
  const size_t at = static_cast<size_t>(
      std::clamp(steps_to_delay - 1.0, 0.0, static_cast<double>(steps > 0 ? steps - 1 : 0)));
  const double demand = steps > 0 ? planner_input.forecast[at] : 0.0;
  const double capacity = std::max(input.current, 0) * planner_input.mu_per_replica;
  d.ratio =
      capacity > 0.0 ? demand / capacity / options_.planner.setpoint : (demand > 0.0 ? 1e9 : 0.0);
  d.recommended = d.plan.replicas;
  // The band holds only while every forecast point from the delay to the horizon's end is in it:
  // the planner holds its target over that whole span, and a rise that leaves the band within the
  // horizon is acted on now rather than one provisioning delay late (the band on the single point
  // at the delay kept 4 replicas at 0.72 utilisation through a rising trough of the diurnal run,
  // where a one-second burst breached the SLO).
  // Nor does it hold a count at which a burst second would pass the utilisation ceiling: with
  // 10 % second-to-second noise, 4 replicas held at 0.69 (inside the band) met a 1.3x second and a
  // 441 ms p99 at the diurnal trough.
  bool in_band = std::abs(d.ratio - 1.0) <= options_.tolerance;
  const double burst = 1.0 + options_.burst_z * std::max(0.0, planner_input.burst_cv);
  for (size_t k = at; in_band && capacity > 0.0 && k < steps; ++k) {
    const double r = planner_input.forecast[k] / capacity / options_.planner.setpoint;
    if (std::abs(r - 1.0) > options_.tolerance) in_band = false;
    if (planner_input.forecast[k] * burst / capacity > options_.planner.rho_ceiling)
      in_band = false;
  }
  if (in_band) d.recommended = input.current;
  char line[320];
  if (options_.mode == AutopilotMode::kFrozen) {
    d.desired = input.current;
    std::snprintf(line, sizeof line,
                  "frozen: would move %d -> %d replicas (forecast utilisation %.0f%% of the "
                  "setpoint %.0f%%)",
                  input.current, d.recommended, 100.0 * d.ratio, 100.0 * options_.planner.setpoint);
    d.reason = line;
    return d;
  }
  d.hpa = stabilizer_.Stabilize(d.recommended, input.current, now);
  d.desired = d.hpa.desired;
  d.act = d.desired != input.current;
  const char* verb = d.desired > input.current   ? "scale up"
                     : d.desired < input.current ? "scale down"
                                                 : "hold";
  std::snprintf(
      line, sizeof line,
      "%s %d -> %d: forecast needs %d at %.0f%% setpoint (horizon mean: utilisation %.0f%%, "
      "p99 %.0f ms)%s%s%s",
      verb, input.current, d.desired, d.plan.replicas, 100.0 * options_.planner.setpoint,
      100.0 * d.plan.expected_rho, 1000.0 * d.plan.expected_p99_s,
      in_band ? "; within the tolerance band" : "",
      d.hpa.limit != HpaLimit::kNone ? "; limited by " : "",
      d.hpa.limit != HpaLimit::kNone ? HpaLimitName(d.hpa.limit) : "");
  d.reason = line;
  return d;
}

}  // namespace huddle::core
