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

TEST(EvaluationTest, ReportHasARowPerScenarioAndEveryPolicy) {
  EvaluationOptions o;
  o.seeds = {1, 2};
  const auto cells = Evaluate(o);
  EXPECT_EQ(cells.size(), ScenarioNames().size() * 3);
  const std::string md = EvaluationMarkdown(cells, o, "huddle tasks evaluate --seeds 2");
  for (const std::string& name : ScenarioNames()) {
    EXPECT_NE(md.find("| " + name + " |"), std::string::npos) << name;
  }
  EXPECT_NE(md.find("huddle tasks evaluate --seeds 2"), std::string::npos);
}

}  // namespace
}  // namespace huddle::taskd
