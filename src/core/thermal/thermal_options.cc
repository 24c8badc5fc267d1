#include "core/thermal/thermal_options.h"

#include <string>

namespace huddle::core {

Result<ThermalOptions> ThermalOptions::Parse(const OptionMap& map) {
  ThermalOptions o;
  OptionReader r(map, "thermal");
  const OptionRange unit{.min = 0, .max = 1};
  const OptionRange open_unit{.min = 0, .max = 1, .min_exclusive = true};
  const OptionRange positive{.min = 0, .min_exclusive = true};
  const OptionRange non_negative{.min = 0};

  o.alpha = r.Double("alpha", o.alpha, open_unit);
  o.weight_anomaly = r.Double("weight_anomaly", o.weight_anomaly, unit);
  o.weight_cpu = r.Double("weight_cpu", o.weight_cpu, unit);
  o.weight_connections = r.Double("weight_connections", o.weight_connections, unit);
  o.weight_memory = r.Double("weight_memory", o.weight_memory, unit);
  o.weight_errors = r.Double("weight_errors", o.weight_errors, unit);
  o.connections_scale = r.Double("connections_scale", o.connections_scale, positive);

  o.heat = r.Double("heat", o.heat, open_unit);
  o.cool = r.Double("cool", o.cool, {.min = 0, .max = 1, .max_exclusive = true});
  o.min_inner = r.Int("min_inner", o.min_inner, {.min = 1});
  o.max_inner = r.Int("max_inner", o.max_inner, non_negative);
  o.rotation_cooldown = r.Time("rotation_cooldown", o.rotation_cooldown, non_negative);
  o.outer_dwell = r.Time("outer_dwell", o.outer_dwell, non_negative);
  o.cold_start = r.Time("cold_start", o.cold_start, non_negative);
  o.rotation_interval = r.Time("rotation_interval", o.rotation_interval, positive);

  o.absolute_latency_floor_ms =
      r.Double("absolute_latency_floor_ms", o.absolute_latency_floor_ms, non_negative);

  o.adaptive_thresholds = r.Bool("adaptive_thresholds", o.adaptive_thresholds);
  o.adaptive_window = r.Int("adaptive_window", o.adaptive_window, {.min = 4, .max = 10000});
  o.adaptive_interval = r.Time("adaptive_interval", o.adaptive_interval, positive);

  o.latency_window = r.Int("latency_window", o.latency_window, {.min = 1, .max = 10000});
  o.probe_window = r.Int("probe_window", o.probe_window, {.min = 1, .max = 10000});
  o.error_alpha = r.Double("error_alpha", o.error_alpha, open_unit);
  o.error_breaker = r.Double("error_breaker", o.error_breaker, open_unit);
  o.failure_latency_factor =
      r.Double("failure_latency_factor", o.failure_latency_factor, {.min = 1, .max = 1000});
  o.stale_evidence_half_life =
      r.Time("stale_evidence_half_life", o.stale_evidence_half_life, positive);
  o.stale_backoff_max = r.Int("stale_backoff_max", o.stale_backoff_max, {.min = 1, .max = 1024});

  const std::string pick = r.String("pick", "round_robin", {"round_robin", "least_request"});
  o.pick = pick == "least_request" ? ThermalPickMode::kLeastRequest : ThermalPickMode::kRoundRobin;

  if (o.cool >= o.heat) {
    r.Problem("cool (" + std::to_string(o.cool) + ") must be below heat (" +
              std::to_string(o.heat) + "), or servers would be promoted while still hot");
  }
  if (o.max_inner != 0 && o.max_inner < o.min_inner) {
    r.Problem("max_inner (" + std::to_string(o.max_inner) + ") must be 0 (no cap) or at least " +
              "min_inner (" + std::to_string(o.min_inner) + ")");
  }
  if (Result<void> done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

}  // namespace huddle::core
