#include "core/tasks/planner_options.h"

namespace huddle::core {

Result<PlannerOptions> PlannerOptions::FromMap(const OptionMap& map) {
  PlannerOptions o;
  OptionReader r(map, "tasks");
  const OptionRange unit{.min = 0, .max = 1};
  o.utilization_threshold_high =
      r.Double("utilization_threshold_high", o.utilization_threshold_high, unit);
  o.utilization_threshold_low =
      r.Double("utilization_threshold_low", o.utilization_threshold_low, unit);
  o.threshold_adjustment_rate =
      r.Double("threshold_adjustment_rate", o.threshold_adjustment_rate, unit);
  o.imbalance_threshold = r.Double("imbalance_threshold", o.imbalance_threshold, unit);
  o.predicted_imbalance_threshold =
      r.Double("predicted_imbalance_threshold", o.predicted_imbalance_threshold, unit);
  o.predicted_margin = r.Double("predicted_margin", o.predicted_margin, unit);
  o.min_prediction_confidence =
      r.Double("min_prediction_confidence", o.min_prediction_confidence, unit);
  o.max_simultaneous_migrations = static_cast<int>(
      r.Int("max_simultaneous_migrations", o.max_simultaneous_migrations, {.min = 0, .max = 1e6}));
  o.max_migratable_runtime = r.Time("max_migratable_runtime", o.max_migratable_runtime, {.min = 0});
  o.prediction_window =
      r.Time("prediction_window", o.prediction_window, {.min = 0, .min_exclusive = true});
  o.history_window = r.Time("history_window", o.history_window, {.min = 0, .min_exclusive = true});
  o.history_alpha =
      r.Double("history_alpha", o.history_alpha, {.min = 0, .max = 1, .min_exclusive = true});
  o.enable_task_migration = r.Bool("enable_task_migration", o.enable_task_migration);
  o.enable_dynamic_thresholds = r.Bool("enable_dynamic_thresholds", o.enable_dynamic_thresholds);
  o.enable_predictive_balancing =
      r.Bool("enable_predictive_balancing", o.enable_predictive_balancing);
  o.enable_cost_benefit_analysis =
      r.Bool("enable_cost_benefit_analysis", o.enable_cost_benefit_analysis);
  o.enable_hardware_specific_strategies =
      r.Bool("enable_hardware_specific_strategies", o.enable_hardware_specific_strategies);
  o.enable_resource_efficiency = r.Bool("enable_resource_efficiency", o.enable_resource_efficiency);
  if (o.utilization_threshold_low >= o.utilization_threshold_high) {
    r.Problem("utilization_threshold_low must be below utilization_threshold_high");
  }
  if (auto s = r.Finish(); !s) return std::unexpected(s.error());
  return o;
}

}  // namespace huddle::core
