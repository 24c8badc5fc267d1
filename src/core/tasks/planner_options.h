#pragma once

#include "core/error.h"
#include "core/options.h"
#include "core/time.h"

namespace huddle::core {

// Options of the migration planner. Names and defaults follow the adaptive task balancer's
// configuration table; the imbalance gaps and the proactive margins are the values its code uses.
struct PlannerOptions {
  double utilization_threshold_high = 0.85;
  double utilization_threshold_low = 0.2;
  double threshold_adjustment_rate = 0.05;
  double imbalance_threshold = 0.4;             // max - min gap for a current imbalance
  double predicted_imbalance_threshold = 0.45;  // the same gap for a predicted one
  double predicted_margin = 0.05;  // predicted max > high + margin, predicted min < low - margin
  double min_prediction_confidence = 0.7;
  int max_simultaneous_migrations = 2;
  Duration max_migratable_runtime = std::chrono::seconds(300);
  Duration prediction_window = std::chrono::minutes(3);  // the horizon of predictions
  Duration history_window = std::chrono::minutes(10);    // samples the OLS fit uses
  double history_alpha = 0.3;                            // EMA of the learned histories
  bool enable_task_migration = true;
  bool enable_dynamic_thresholds = true;
  bool enable_predictive_balancing = true;
  bool enable_cost_benefit_analysis = true;
  bool enable_hardware_specific_strategies = true;
  bool enable_resource_efficiency = true;

  // Reads the keys above (durations as "300s", "3m"...); rejects unknown keys and bad ranges.
  static Result<PlannerOptions> FromMap(const OptionMap& map);
};

}  // namespace huddle::core
