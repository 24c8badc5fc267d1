#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/tasks/dynamic_thresholds.h"
#include "core/tasks/load_predictor.h"
#include "core/tasks/migration_history.h"
#include "core/tasks/planner_options.h"
#include "core/tasks/task_model.h"

namespace huddle::core {

// The terms of a migration's cost (0..10) and benefit (unbounded), kept for the decision log.
struct MigrationCost {
  double base = 2.0;
  double running_time = 0.0;  // min(3, running_s / 40)
  double priority = 0.0;      // min(2, priority / 2)
  double state_size = 0.0;    // min(2, state_mb / 256)
  double learned = 0.0;       // MigrationHistory::LearnedCost(kind), 0..3
  double total = 0.0;         // the sum, capped at 10
};

struct MigrationBenefit {
  double utilisation_gap = 0.0;  // 10 * (source load - target load)
  double hardware_match = 0.0;   // 2 * (target matches preferred - source matches), -2..2
  double memory_margin = 0.0;    // free memory fraction on the target after the move - on source
  double energy = 0.0;           // 3 * (target - source energy efficiency), power-efficient tasks
  double thermal = 0.0;          // target - source thermal efficiency
  double learned_success = 0.0;  // 2 * (success rate of target for this kind - 1), -2..0
  double total = 0.0;
};

struct MigrationCandidate {
  TaskId task = 0;
  WorkerId source = 0;
  WorkerId target = 0;
  double source_load = 0.0;  // the loads the decision used (current or predicted)
  double target_load = 0.0;
  MigrationCost cost;
  MigrationBenefit benefit;
  double net_benefit = 0.0;
};

// What one balancing round saw and decided; the body records it (the seed's metrics row).
struct BalanceRound {
  size_t workers = 0;
  double system_load = 0.0;  // mean current utilisation of active workers
  double load_stddev = 0.0;
  double imbalance_score = 0.0;  // max - min current utilisation
  double threshold_high = 0.0;
  double threshold_low = 0.0;
  LoadTrend trend = LoadTrend::kStable;
  bool current_imbalance = false;
  bool predicted_imbalance = false;
  bool acted_on_prediction = false;            // the loads used were the predicted ones
  double predicted_system_load = 0.0;          // mean prediction (current where none)
  double prediction_confidence = 0.0;          // mean confidence over workers with a prediction
  std::optional<double> prediction_accuracy;   // of predictions that fell due since last round
  std::vector<MigrationCandidate> candidates;  // positive net benefit, best first
  std::vector<MigrationCandidate> chosen;      // to start now, at most the free migration slots
};

// The adaptive task balancer's migration planner, as its text describes it (see docs/tasks.md):
// dynamic thresholds, per-worker OLS prediction with confidence, proactive migration that uses
// the predicted loads, cost-benefit analysis with learned history, candidates sorted by net
// benefit, and a cap on simultaneous migrations. Pure: the body feeds utilisation samples and a
// snapshot of workers and running tasks, and carries out the chosen migrations through the
// migration protocol (TaskLedger). Not thread-safe.
class MigrationPlanner {
 public:
  explicit MigrationPlanner(PlannerOptions options);

  // One utilisation sample of a worker (each heartbeat or each round).
  void ObserveWorker(WorkerId worker, TimePoint now, double utilisation);
  void ForgetWorker(WorkerId worker);
  // Feeds the learned history; `kind` is RunningTask::kind, `downtime` from cancel to restart.
  void RecordMigrationOutcome(std::string_view kind, WorkerId target, bool success,
                              Duration downtime);

  // One balancing round. `active_migrations` counts migrations still in flight.
  BalanceRound Plan(std::span<const WorkerInfo> workers, std::span<const RunningTask> tasks,
                    int active_migrations, TimePoint now);

  // The cost and benefit terms (public for tests and the decision log).
  MigrationCost CostOf(const RunningTask& task, TimePoint now) const;
  MigrationBenefit BenefitOf(const RunningTask& task, const WorkerInfo& source, double source_load,
                             const WorkerInfo& target, double target_load) const;

  const DynamicThresholds& thresholds() const { return thresholds_; }
  const LoadPredictor& predictor() const { return predictor_; }
  const MigrationHistory& history() const { return history_; }
  const PlannerOptions& options() const { return options_; }

 private:
  PlannerOptions options_;
  DynamicThresholds thresholds_;
  LoadPredictor predictor_;
  MigrationHistory history_;
};

}  // namespace huddle::core
