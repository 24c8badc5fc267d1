#include "core/tasks/migration_planner.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace huddle::core {
namespace {

struct Scored {
  MigrationCandidate candidate;
  const RunningTask* task;
};

}  // namespace

MigrationPlanner::MigrationPlanner(PlannerOptions options)
    : options_(options),
      thresholds_(options.utilization_threshold_high, options.utilization_threshold_low,
                  options.threshold_adjustment_rate),
      predictor_(LoadPredictor::Options{.history = options.history_window,
                                        .horizon = options.prediction_window}),
      history_(options.history_alpha) {}

void MigrationPlanner::ObserveWorker(WorkerId worker, TimePoint now, double utilisation) {
  predictor_.Observe(worker, now, std::clamp(utilisation, 0.0, 1.0));
}

void MigrationPlanner::ForgetWorker(WorkerId worker) {
  predictor_.Forget(worker);
  history_.ForgetWorker(worker);
}

void MigrationPlanner::RecordMigrationOutcome(std::string_view kind, WorkerId target, bool success,
                                              Duration downtime) {
  history_.Record(kind, target, success, downtime);
}

MigrationCost MigrationPlanner::CostOf(const RunningTask& task, TimePoint now) const {
  MigrationCost c;
  c.running_time = std::min(3.0, std::max(0.0, ToSeconds(now - task.started)) / 40.0);
  c.priority = std::min(2.0, std::max(0, task.requirements.priority) / 2.0);
  c.state_size = std::min(2.0, std::max(0.0, task.requirements.state_size_mb) / 256.0);
  c.learned = history_.LearnedCost(task.kind);
  c.total = std::min(10.0, c.base + c.running_time + c.priority + c.state_size + c.learned);
  return c;
}

MigrationBenefit MigrationPlanner::BenefitOf(const RunningTask& task, const WorkerInfo& source,
                                             double source_load, const WorkerInfo& target,
                                             double target_load) const {
  MigrationBenefit b;
  const TaskRequirements& req = task.requirements;
  b.utilisation_gap = 10.0 * (source_load - target_load);
  if (options_.enable_hardware_specific_strategies && req.preferred_hardware) {
    const double on_target = target.hardware.Has(*req.preferred_hardware) ? 1.0 : 0.0;
    const double on_source = source.hardware.Has(*req.preferred_hardware) ? 1.0 : 0.0;
    b.hardware_match = 2.0 * (on_target - on_source);
  }
  if (target.memory_gb > 0.0 && source.memory_gb > 0.0) {
    const double target_margin = (target.memory_available_gb - req.memory_gb) / target.memory_gb;
    const double source_margin = source.memory_available_gb / source.memory_gb;
    b.memory_margin = std::clamp(target_margin - source_margin, -1.0, 1.0);
  }
  if (options_.enable_resource_efficiency) {
    const HardwareProfile& s = DefaultHardwareProfile(source.primary);
    const HardwareProfile& t = DefaultHardwareProfile(target.primary);
    if (req.power_efficient) b.energy = 3.0 * (t.energy_efficiency - s.energy_efficiency);
    b.thermal = t.thermal_efficiency - s.thermal_efficiency;
  }
  b.learned_success = 2.0 * (history_.SuccessRate(target.id, task.kind) - 1.0);
  b.total = b.utilisation_gap + b.hardware_match + b.memory_margin + b.energy + b.thermal +
            b.learned_success;
  return b;
}

BalanceRound MigrationPlanner::Plan(std::span<const WorkerInfo> workers,
                                    std::span<const RunningTask> tasks, int active_migrations,
                                    TimePoint now) {
  BalanceRound round;
  std::vector<const WorkerInfo*> active;
  for (const WorkerInfo& w : workers) {
    if (w.active) active.push_back(&w);
  }
  const size_t n = active.size();
  round.workers = n;
  round.prediction_accuracy = predictor_.TakeAccuracy();
  round.threshold_high =
      options_.enable_dynamic_thresholds ? thresholds_.high() : options_.utilization_threshold_high;
  round.threshold_low =
      options_.enable_dynamic_thresholds ? thresholds_.low() : options_.utilization_threshold_low;
  if (n == 0) return round;

  std::map<WorkerId, size_t> index;
  std::vector<double> current(n);
  for (size_t i = 0; i < n; ++i) {
    index[active[i]->id] = i;
    current[i] =
        std::clamp(predictor_.RecentMean(active[i]->id).value_or(active[i]->utilisation), 0.0, 1.0);
  }
  double sum = 0.0;
  for (double c : current) sum += c;
  round.system_load = sum / static_cast<double>(n);
  double var = 0.0;
  for (double c : current) var += (c - round.system_load) * (c - round.system_load);
  round.load_stddev = std::sqrt(var / static_cast<double>(n));
  const auto [cmin, cmax] = std::minmax_element(current.begin(), current.end());
  round.imbalance_score = *cmax - *cmin;

  thresholds_.AddSystemLoad(round.system_load);
  if (options_.enable_dynamic_thresholds) {
    thresholds_.Update();
    round.threshold_high = thresholds_.high();
    round.threshold_low = thresholds_.low();
  }
  round.trend = thresholds_.trend();
  const double high = round.threshold_high;
  const double low = round.threshold_low;

  // Predicted loads: the prediction where it is confident enough, the current load elsewhere.
  std::vector<double> effective = current;
  std::vector<double> confidence(n, 0.0);
  double predicted_sum = 0.0;
  double confidence_sum = 0.0;
  size_t predicted_count = 0;
  if (options_.enable_predictive_balancing) {
    for (size_t i = 0; i < n; ++i) {
      const auto p = predictor_.Predict(active[i]->id, now);
      if (!p) continue;
      predictor_.Remember(active[i]->id, now + options_.prediction_window, p->predicted);
      confidence[i] = p->confidence;
      confidence_sum += p->confidence;
      ++predicted_count;
      if (p->confidence >= options_.min_prediction_confidence) effective[i] = p->predicted;
    }
  }
  for (double e : effective) predicted_sum += e;
  round.predicted_system_load = predicted_sum / static_cast<double>(n);
  round.prediction_confidence =
      predicted_count == 0 ? 0.0 : confidence_sum / static_cast<double>(predicted_count);

  round.current_imbalance =
      *cmax > high && *cmin < low && (*cmax - *cmin) > options_.imbalance_threshold;
  if (options_.enable_predictive_balancing) {
    const size_t imax = std::max_element(effective.begin(), effective.end()) - effective.begin();
    const size_t imin = std::min_element(effective.begin(), effective.end()) - effective.begin();
    const double min_conf = options_.min_prediction_confidence;
    round.predicted_imbalance =
        confidence[imax] >= min_conf && confidence[imin] >= min_conf &&
        effective[imax] > high + options_.predicted_margin &&
        effective[imin] < low - options_.predicted_margin &&
        effective[imax] - effective[imin] > options_.predicted_imbalance_threshold;
  }
  if (!options_.enable_task_migration) return round;
  if (!round.current_imbalance && !round.predicted_imbalance) return round;
  // Unlike the seed's code, a predicted-only imbalance migrates on the predicted loads.
  round.acted_on_prediction = !round.current_imbalance;
  const std::vector<double>& load = round.acted_on_prediction ? effective : current;

  std::vector<Scored> scored;
  for (const RunningTask& task : tasks) {
    const auto src_it = index.find(task.worker);
    if (src_it == index.end() || task.migrating) continue;
    const size_t s = src_it->second;
    if (!(load[s] > high)) continue;
    const Duration ran = now - task.started;
    if (ran > options_.max_migratable_runtime) continue;
    for (size_t t = 0; t < n; ++t) {
      if (t == s || !(load[t] < low)) continue;
      const WorkerInfo& target = *active[t];
      if (!CanHost(target, task.requirements) || target.running_tasks >= target.slots()) continue;
      MigrationCandidate c;
      c.task = task.id;
      c.source = active[s]->id;
      c.target = target.id;
      c.source_load = load[s];
      c.target_load = load[t];
      c.cost = CostOf(task, now);
      c.benefit = BenefitOf(task, *active[s], load[s], target, load[t]);
      // Without cost-benefit analysis a move is judged by the utilisation gap plus the hardware
      // and energy terms when those are on (they are 0 when off), so the hardware-aware placement
      // can be evaluated apart from cost-benefit (the fixed_threshold+hardware ablation).
      c.net_benefit = options_.enable_cost_benefit_analysis
                          ? c.benefit.total - c.cost.total
                          : c.benefit.utilisation_gap + c.benefit.hardware_match +
                                c.benefit.energy + c.benefit.thermal;
      if (c.net_benefit > 0.0) scored.push_back({c, &task});
    }
  }
  std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    if (a.candidate.net_benefit != b.candidate.net_benefit) {
      return a.candidate.net_benefit > b.candidate.net_benefit;
    }
    if (a.candidate.task != b.candidate.task) return a.candidate.task < b.candidate.task;
    return a.candidate.target < b.candidate.target;
  });

  // Take the best candidates while slots remain, tracking the loads, memory and task slots the
  // moves already chosen will change, so that two moves do not overfill one target.
  const int free_slots = options_.max_simultaneous_migrations - std::max(0, active_migrations);
  std::vector<double> projected = load;
  std::vector<double> memory(n);
  std::vector<int> running(n);
  for (size_t i = 0; i < n; ++i) {
    memory[i] = active[i]->memory_available_gb;
    running[i] = active[i]->running_tasks;
  }
  std::vector<TaskId> moved;
  for (const Scored& sc : scored) {
    round.candidates.push_back(sc.candidate);
    if (static_cast<int>(round.chosen.size()) >= free_slots) continue;
    if (std::find(moved.begin(), moved.end(), sc.candidate.task) != moved.end()) continue;
    const size_t s = index[sc.candidate.source];
    const size_t t = index[sc.candidate.target];
    const double share = std::max(0.0, sc.task->load_share);
    const double arriving = share * static_cast<double>(std::max(1, active[s]->cores)) /
                            static_cast<double>(std::max(1, active[t]->cores));
    const bool still_helps =
        projected[t] + arriving < projected[s] - share + 1e-12 && projected[t] + arriving <= high;
    if (!still_helps || memory[t] < sc.task->requirements.memory_gb ||
        running[t] >= active[t]->slots()) {
      continue;
    }
    projected[s] -= share;
    projected[t] += arriving;
    memory[t] -= sc.task->requirements.memory_gb;
    ++running[t];
    moved.push_back(sc.candidate.task);
    round.chosen.push_back(sc.candidate);
  }
  return round;
}

}  // namespace huddle::core
