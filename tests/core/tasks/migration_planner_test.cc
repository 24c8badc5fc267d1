#include "core/tasks/migration_planner.h"

#include <gtest/gtest.h>

#include <vector>

namespace huddle::core {
namespace {

TimePoint At(double s) { return TimePoint{} + FromSeconds(s); }

PlannerOptions FixedThresholds() {
  PlannerOptions o;
  o.enable_dynamic_thresholds = false;
  return o;
}

WorkerInfo Cpu(WorkerId id, double util, int cores = 4) {
  return WorkerInfo{.id = id,
                    .hardware = {HardwareType::kCpu},
                    .primary = HardwareType::kCpu,
                    .cores = cores,
                    .utilisation = util,
                    .max_tasks = 8};
}

RunningTask Task(TaskId id, WorkerId on, double started_s, double share = 0.25) {
  RunningTask t;
  t.id = id;
  t.kind = "video";
  t.worker = on;
  t.started = At(started_s);
  t.load_share = share;
  return t;
}

// One sample per worker so RecentMean equals the given utilisation.
void Observe(MigrationPlanner& p, const std::vector<WorkerInfo>& ws, double t) {
  for (const WorkerInfo& w : ws) p.ObserveWorker(w.id, At(t), w.utilisation);
}

TEST(MigrationPlannerTest, CostTermsFollowTheSeedAndAddStateSize) {
  MigrationPlanner p(FixedThresholds());
  RunningTask t = Task(1, 1, 0);
  t.requirements.priority = 3;
  t.requirements.state_size_mb = 128;
  const MigrationCost c = p.CostOf(t, At(80));
  EXPECT_DOUBLE_EQ(c.running_time, 2.0);  // 80 / 40
  EXPECT_DOUBLE_EQ(c.priority, 1.5);
  EXPECT_DOUBLE_EQ(c.state_size, 0.5);  // 128 / 256
  EXPECT_DOUBLE_EQ(c.learned, 0.0);
  EXPECT_DOUBLE_EQ(c.total, 6.0);
  t.requirements.priority = 9;
  t.requirements.state_size_mb = 1e6;
  EXPECT_DOUBLE_EQ(p.CostOf(t, At(1000)).total, 9.0);  // 2 + 3 + 2 + 2, each term capped
}

TEST(MigrationPlannerTest, MigratesFromOverloadedToUnderloaded) {
  MigrationPlanner p(FixedThresholds());
  const std::vector<WorkerInfo> ws = {Cpu(1, 0.95), Cpu(2, 0.05), Cpu(3, 0.5)};
  Observe(p, ws, 0);
  const std::vector<RunningTask> tasks = {Task(10, 1, -10)};
  const BalanceRound r = p.Plan(ws, tasks, 0, At(0));
  EXPECT_TRUE(r.current_imbalance);
  EXPECT_FALSE(r.acted_on_prediction);
  EXPECT_NEAR(r.system_load, 0.5, 1e-12);
  EXPECT_NEAR(r.imbalance_score, 0.9, 1e-12);
  ASSERT_EQ(r.chosen.size(), 1u);
  const MigrationCandidate& c = r.chosen[0];
  EXPECT_EQ(c.task, 10u);
  EXPECT_EQ(c.source, 1u);
  EXPECT_EQ(c.target, 2u);  // worker 3 is not underloaded
  // cost 2 + 10/40 + 1/2 = 2.75; benefit 10 * 0.9 = 9 (same hardware, no memory data).
  EXPECT_NEAR(c.cost.total, 2.75, 1e-12);
  EXPECT_NEAR(c.benefit.total, 9.0, 1e-12);
  EXPECT_NEAR(c.net_benefit, 6.25, 1e-12);
}

TEST(MigrationPlannerTest, NoImbalanceNoCandidates) {
  MigrationPlanner p(FixedThresholds());
  const std::vector<WorkerInfo> ws = {Cpu(1, 0.8), Cpu(2, 0.3)};
  Observe(p, ws, 0);
  const std::vector<RunningTask> tasks = {Task(10, 1, 0)};
  const BalanceRound r = p.Plan(ws, tasks, 0, At(0));
  EXPECT_FALSE(r.current_imbalance);
  EXPECT_TRUE(r.candidates.empty());
}

TEST(MigrationPlannerTest, CandidatesAreSortedByNetBenefitNotFirstFit) {
  PlannerOptions o = FixedThresholds();
  o.max_simultaneous_migrations = 1;
  MigrationPlanner p(o);
  const std::vector<WorkerInfo> ws = {Cpu(1, 0.95), Cpu(2, 0.05)};
  Observe(p, ws, 0);
  // Task 10 has run 200 s (cost +3), task 11 is fresh: the seed's first fit would move 10.
  const std::vector<RunningTask> tasks = {Task(10, 1, -200), Task(11, 1, 0)};
  const BalanceRound r = p.Plan(ws, tasks, 0, At(0));
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[0].task, 11u);
  EXPECT_GT(r.candidates[0].net_benefit, r.candidates[1].net_benefit);
  ASSERT_EQ(r.chosen.size(), 1u);
  EXPECT_EQ(r.chosen[0].task, 11u);
}

TEST(MigrationPlannerTest, RespectsSimultaneousMigrationLimitAndRuntimeLimit) {
  MigrationPlanner p(FixedThresholds());
  const std::vector<WorkerInfo> ws = {Cpu(1, 0.95), Cpu(2, 0.05)};
  Observe(p, ws, 0);
  const std::vector<RunningTask> tasks = {Task(10, 1, 0, 0.05), Task(11, 1, -301, 0.05)};
  const BalanceRound busy = p.Plan(ws, tasks, /*active_migrations=*/2, At(0));
  EXPECT_EQ(busy.candidates.size(), 1u);  // task 11 ran more than 300 s
  EXPECT_TRUE(busy.chosen.empty());
  const BalanceRound one_slot = p.Plan(ws, tasks, 1, At(0));
  EXPECT_EQ(one_slot.chosen.size(), 1u);
}

TEST(MigrationPlannerTest, ProjectedLoadsStopOverfillingATarget) {
  MigrationPlanner p(FixedThresholds());
  const std::vector<WorkerInfo> ws = {Cpu(1, 0.95, 2), Cpu(2, 0.05, 2)};
  Observe(p, ws, 0);
  const std::vector<RunningTask> tasks = {Task(10, 1, 0, 0.3), Task(11, 1, 0, 0.3)};
  const BalanceRound r = p.Plan(ws, tasks, 0, At(0));
  EXPECT_EQ(r.candidates.size(), 2u);
  // After one move: source 0.65, target 0.35; a second would leave the target (0.65) above the
  // source (0.35), so only one is chosen although two slots are free.
  EXPECT_EQ(r.chosen.size(), 1u);
}

TEST(MigrationPlannerTest, CostBenefitRejectsExpensiveMovesUnlessDisabled) {
  RunningTask heavy = Task(10, 1, -200);
  heavy.requirements.priority = 4;
  heavy.requirements.state_size_mb = 1024;
  const std::vector<WorkerInfo> ws = {Cpu(1, 0.9), Cpu(2, 0.1)};
  const std::vector<RunningTask> tasks = {heavy};
  {
    MigrationPlanner p(FixedThresholds());
    Observe(p, ws, 0);
    // cost 2 + 3 + 2 + 2 = 9 > benefit 8.
    EXPECT_TRUE(p.Plan(ws, tasks, 0, At(0)).chosen.empty());
  }
  PlannerOptions o = FixedThresholds();
  o.enable_cost_benefit_analysis = false;
  MigrationPlanner p(o);
  Observe(p, ws, 0);
  EXPECT_EQ(p.Plan(ws, tasks, 0, At(0)).chosen.size(), 1u);
}

TEST(MigrationPlannerTest, PowerEfficientTaskGoesToEfficientHardware) {
  MigrationPlanner p(FixedThresholds());
  WorkerInfo qnn = Cpu(3, 0.1);
  qnn.hardware = {HardwareType::kCpu, HardwareType::kQnn};
  qnn.primary = HardwareType::kQnn;
  const std::vector<WorkerInfo> ws = {Cpu(1, 0.95), Cpu(2, 0.1), qnn};
  Observe(p, ws, 0);
  RunningTask t = Task(10, 1, 0);
  t.requirements.power_efficient = true;
  const std::vector<RunningTask> tasks = {t};
  const BalanceRound r = p.Plan(ws, tasks, 0, At(0));
  ASSERT_EQ(r.chosen.size(), 1u);
  EXPECT_EQ(r.chosen[0].target, 3u);
  EXPECT_NEAR(r.chosen[0].benefit.energy, 3.0 * (0.9 - 0.7), 1e-12);
  EXPECT_NEAR(r.chosen[0].benefit.thermal, 0.9 - 0.8, 1e-12);
}

TEST(MigrationPlannerTest, PreferredHardwareAndMemoryMarginCount) {
  MigrationPlanner p(FixedThresholds());
  WorkerInfo src = Cpu(1, 0.95);
  src.memory_gb = 16;
  src.memory_available_gb = 2;
  WorkerInfo cuda = Cpu(2, 0.1);
  cuda.hardware = {HardwareType::kCpu, HardwareType::kCuda};
  cuda.memory_gb = 16;
  cuda.memory_available_gb = 12;
  const std::vector<WorkerInfo> ws = {src, cuda};
  Observe(p, ws, 0);
  RunningTask t = Task(10, 1, 0);
  t.requirements.preferred_hardware = HardwareType::kCuda;
  t.requirements.memory_gb = 4;
  const MigrationBenefit b = p.BenefitOf(t, src, 0.95, cuda, 0.1);
  EXPECT_DOUBLE_EQ(b.hardware_match, 2.0);
  EXPECT_NEAR(b.memory_margin, (12.0 - 4.0) / 16.0 - 2.0 / 16.0, 1e-12);
}

TEST(MigrationPlannerTest, LearnedFailuresSteerAwayFromATarget) {
  MigrationPlanner p(FixedThresholds());
  const std::vector<WorkerInfo> ws = {Cpu(1, 0.95), Cpu(2, 0.05), Cpu(3, 0.1)};
  Observe(p, ws, 0);
  const std::vector<RunningTask> tasks = {Task(10, 1, 0)};
  EXPECT_EQ(p.Plan(ws, tasks, 0, At(0)).chosen.at(0).target, 2u);
  for (int i = 0; i < 3; ++i) p.RecordMigrationOutcome("video", 2, false, {});
  // Success EMA 1 -> 0.7 -> 0.49 -> 0.343: learned_success = 2 (0.343 - 1) = -1.314, more than
  // the 0.5 utilisation advantage of worker 2; the learned cost (3 per failure) applies to both.
  const BalanceRound r = p.Plan(ws, tasks, 0, At(0));
  ASSERT_EQ(r.chosen.size(), 1u);
  EXPECT_EQ(r.chosen[0].target, 3u);
  EXPECT_NEAR(p.history().SuccessRate(2, "video"), 0.343, 1e-12);
  EXPECT_NEAR(r.chosen[0].cost.learned, 3.0, 1e-12);
}

TEST(MigrationPlannerTest, LearnedCostTracksDowntimeByEma) {
  MigrationPlanner p(FixedThresholds());
  p.RecordMigrationOutcome("video", 2, true, FromSeconds(10));  // sample 1.0 sets the value
  p.RecordMigrationOutcome("video", 2, true, FromSeconds(20));  // 0.3 * 2 + 0.7 * 1 = 1.3
  EXPECT_NEAR(p.history().LearnedCost("video"), 1.3, 1e-12);
  EXPECT_DOUBLE_EQ(p.history().LearnedCost("other"), 0.0);
}

// Worker 1 climbs and worker 2 falls. Their last-five means are 0.71 and 0.174: worker 2 is under
// the low threshold (0.2) but worker 1 is not over the high one (0.85), so there is no current
// imbalance. Three minutes ahead the lines reach 0.95 and 0.03.
std::vector<WorkerInfo> Trending(MigrationPlanner& p) {
  std::vector<WorkerInfo> ws = {Cpu(1, 0.0), Cpu(2, 0.0)};
  for (int i = 0; i < 10; ++i) {
    const double t = 30.0 * i;
    p.ObserveWorker(1, At(t), 0.5 + 0.001 * t);
    p.ObserveWorker(2, At(t), 0.3 - 0.0006 * t);
  }
  ws[0].utilisation = 0.77;
  ws[1].utilisation = 0.138;
  return ws;
}

TEST(MigrationPlannerTest, ProactiveMigrationActsOnPredictedLoads) {
  MigrationPlanner p(FixedThresholds());
  const std::vector<WorkerInfo> ws = Trending(p);
  const std::vector<RunningTask> tasks = {Task(10, 1, 260)};
  const BalanceRound r = p.Plan(ws, tasks, 0, At(270));
  EXPECT_FALSE(r.current_imbalance);
  EXPECT_TRUE(r.predicted_imbalance);
  EXPECT_TRUE(r.acted_on_prediction);
  EXPECT_NEAR(r.prediction_confidence, 1.0, 1e-9);
  ASSERT_EQ(r.chosen.size(), 1u);
  EXPECT_NEAR(r.chosen[0].source_load, 0.95, 1e-9);
  EXPECT_NEAR(r.chosen[0].target_load, 0.03, 1e-9);
}

TEST(MigrationPlannerTest, WithoutPredictionTheTrendIsIgnored) {
  PlannerOptions o = FixedThresholds();
  o.enable_predictive_balancing = false;
  MigrationPlanner p(o);
  const std::vector<WorkerInfo> ws = Trending(p);
  const std::vector<RunningTask> tasks = {Task(10, 1, 260)};
  const BalanceRound r = p.Plan(ws, tasks, 0, At(270));
  EXPECT_FALSE(r.predicted_imbalance);
  EXPECT_TRUE(r.chosen.empty());
}

TEST(MigrationPlannerTest, PredictionAccuracyIsReportedNextRounds) {
  MigrationPlanner p(FixedThresholds());
  const std::vector<WorkerInfo> ws = Trending(p);
  const std::vector<RunningTask> none;
  EXPECT_FALSE(p.Plan(ws, none, 0, At(270)).prediction_accuracy.has_value());
  // Predictions for t = 450 were 0.95 and 0.03; the loads then are 0.85 and 0.13: MAE 0.1.
  p.ObserveWorker(1, At(450), 0.85);
  p.ObserveWorker(2, At(450), 0.13);
  const BalanceRound r = p.Plan(ws, none, 0, At(450));
  ASSERT_TRUE(r.prediction_accuracy.has_value());
  EXPECT_NEAR(*r.prediction_accuracy, 0.8, 1e-9);
}

TEST(MigrationPlannerTest, DynamicThresholdsMoveWithSystemLoad) {
  MigrationPlanner p{PlannerOptions{}};
  const std::vector<WorkerInfo> ws = {Cpu(1, 0.9), Cpu(2, 0.9)};
  BalanceRound r;
  for (int i = 0; i < 5; ++i) {
    Observe(p, ws, 30 * i);
    r = p.Plan(ws, {}, 0, At(30 * i));
  }
  // Five rounds at 0.9: the first update happens on the fifth: 0.85 - 0.06, 0.2 + 0.04.
  EXPECT_NEAR(r.threshold_high, 0.79, 1e-12);
  EXPECT_NEAR(r.threshold_low, 0.24, 1e-12);
}

TEST(MigrationPlannerTest, MigrationDisabledPlansNothing) {
  PlannerOptions o = FixedThresholds();
  o.enable_task_migration = false;
  MigrationPlanner p(o);
  const std::vector<WorkerInfo> ws = {Cpu(1, 0.95), Cpu(2, 0.05)};
  Observe(p, ws, 0);
  const std::vector<RunningTask> tasks = {Task(10, 1, 0)};
  const BalanceRound r = p.Plan(ws, tasks, 0, At(0));
  EXPECT_TRUE(r.current_imbalance);
  EXPECT_TRUE(r.chosen.empty());
}

TEST(PlannerOptionsTest, ParsesValidatesAndRejectsUnknownKeys) {
  auto o = PlannerOptions::FromMap({{"max_simultaneous_migrations", "3"},
                                    {"prediction_window", "2m"},
                                    {"enable_resource_efficiency", "false"}});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->max_simultaneous_migrations, 3);
  EXPECT_EQ(o->prediction_window, std::chrono::minutes(2));
  EXPECT_FALSE(o->enable_resource_efficiency);
  EXPECT_FALSE(PlannerOptions::FromMap({{"check_intervl", "30"}}).has_value());
  EXPECT_FALSE(PlannerOptions::FromMap({{"utilization_threshold_high", "1.5"}}).has_value());
  EXPECT_FALSE(PlannerOptions::FromMap({{"utilization_threshold_low", "0.9"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
