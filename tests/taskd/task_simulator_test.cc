#include "taskd/task_simulator.h"

#include <gtest/gtest.h>

#include <cmath>

#include "taskd/evaluation.h"

namespace huddle::taskd {
namespace {

constexpr auto kRound = std::chrono::seconds(30);

TEST(TaskSimulatorTest, IsDeterministicForASeed) {
  const SimScenario s = MakeScenario("gradual_increase", 7);
  const SimResult a = Simulate(s, AdaptivePolicy(), kRound);
  const SimResult b = Simulate(MakeScenario("gradual_increase", 7), AdaptivePolicy(), kRound);
  EXPECT_EQ(a.migrations, b.migrations);
  EXPECT_DOUBLE_EQ(a.mean_load_stddev, b.mean_load_stddev);
  EXPECT_DOUBLE_EQ(a.mean_completion_s, b.mean_completion_s);
}

TEST(TaskSimulatorTest, EveryTaskCompletesInEveryScenario) {
  for (const std::string& name : ScenarioNames()) {
    const SimScenario s = MakeScenario(name, 1);
    for (const SimPolicy& p : {AdaptivePolicy(), FixedThresholdPolicy(), NoMigrationPolicy()}) {
      const SimResult r = Simulate(s, p, kRound);
      EXPECT_EQ(r.completed, s.tasks.size()) << name << " " << p.name;
      EXPECT_GT(r.tasks, 10u);
    }
  }
}

TEST(TaskSimulatorTest, WithoutMigrationNothingMovesAndTheSpikeStays) {
  const SimResult r = Simulate(MakeScenario("sudden_spike", 1), NoMigrationPolicy(), kRound);
  EXPECT_EQ(r.migrations, 0u);
  // 16 tasks of ~300 core-s on 4 cores take ~1200 s to drain alone.
  ASSERT_TRUE(r.time_to_rebalance_s.has_value());
  EXPECT_GT(*r.time_to_rebalance_s, 1000.0);
}

TEST(TaskSimulatorTest, PlannerRebalancesTheSpikeFasterThanWaiting) {
  const SimResult none = Simulate(MakeScenario("sudden_spike", 1), NoMigrationPolicy(), kRound);
  const SimResult adaptive = Simulate(MakeScenario("sudden_spike", 1), AdaptivePolicy(), kRound);
  ASSERT_TRUE(adaptive.time_to_rebalance_s.has_value());
  EXPECT_GT(adaptive.migrations, 0u);
  EXPECT_LT(*adaptive.time_to_rebalance_s, *none.time_to_rebalance_s / 2);
}

TEST(EvaluationTest, ReportHasARowPerScenarioPolicyAndInterval) {
  EvaluationOptions o;
  o.seeds = {1, 2};
  o.check_intervals = {std::chrono::seconds(30), std::chrono::seconds(120)};
  const auto cells = Evaluate(o);
  EXPECT_EQ(cells.size(), ScenarioNames().size() * EvaluationPolicies().size() * 2);
  const std::string md = EvaluationMarkdown(cells, o, "huddle tasks evaluate --seeds 2");
  for (const std::string& name : ScenarioNames()) {
    EXPECT_NE(md.find("| " + name + " |"), std::string::npos) << name;
  }
  EXPECT_NE(md.find("## Balancing every 30 s"), std::string::npos);
  EXPECT_NE(md.find("## Balancing every 120 s"), std::string::npos);
  EXPECT_NE(md.find("fixed_threshold+hardware"), std::string::npos);
  EXPECT_NE(md.find("huddle tasks evaluate --seeds 2"), std::string::npos);
}

TEST(EvaluationTest, TheAblationsDifferFromTheirBaseOnlyInTheHardwareTerms) {
  const SimPolicy fixed = FixedThresholdPolicy();
  const SimPolicy fixed_hw = FixedThresholdHardwarePolicy();
  EXPECT_FALSE(fixed.options.enable_hardware_specific_strategies);
  EXPECT_TRUE(fixed_hw.options.enable_hardware_specific_strategies);
  EXPECT_TRUE(fixed_hw.options.enable_resource_efficiency);
  EXPECT_EQ(fixed_hw.options.enable_dynamic_thresholds, fixed.options.enable_dynamic_thresholds);
  EXPECT_EQ(fixed_hw.options.enable_predictive_balancing,
            fixed.options.enable_predictive_balancing);
  EXPECT_EQ(fixed_hw.options.enable_cost_benefit_analysis,
            fixed.options.enable_cost_benefit_analysis);
  const SimPolicy adaptive_no_hw = AdaptiveWithoutHardwarePolicy();
  EXPECT_FALSE(adaptive_no_hw.options.enable_hardware_specific_strategies);
  EXPECT_FALSE(adaptive_no_hw.options.enable_resource_efficiency);
  EXPECT_TRUE(adaptive_no_hw.options.enable_dynamic_thresholds);
  EXPECT_TRUE(adaptive_no_hw.options.enable_predictive_balancing);
}

TEST(EvaluationTest, PairedChangeIsByTheSameSeedAndSkipsMissingOnes) {
  EvaluationCell a{.values = {90, 110, std::nan(""), 100}};
  EvaluationCell b{.values = {100, 100, 50, 100}};
  // Pairs (90,100) (110,100) (100,100): differences -10, +10, 0, mean 0, sd 10;
  // t(0.975, 2) = 4.303, half-width 4.303 * 10 / sqrt(3) = 24.84 on a base of 100.
  const PairedChange c = ComparePaired(a, b, /*lower_is_better=*/true);
  EXPECT_EQ(c.n, 3u);
  EXPECT_NEAR(c.change_pct, 0.0, 1e-9);
  EXPECT_NEAR(c.ci95_pct, 24.84, 0.01);
  EXPECT_EQ(c.a_better, 1u);                                               // only 90 < 100
  EXPECT_EQ(ComparePaired(a, b, /*lower_is_better=*/false).a_better, 1u);  // only 110 > 100
}

}  // namespace
}  // namespace huddle::taskd
