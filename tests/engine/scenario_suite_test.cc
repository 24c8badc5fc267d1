#include "engine/scenario_suite.h"

#include <gtest/gtest.h>

#include "engine/scenario_plant.h"

namespace huddle::engine {
namespace {

TEST(ScenarioSuiteTest, HasTheTenScenariosOfTheReference) {
  EXPECT_EQ(ScenarioNames().size(), 10u);
  EXPECT_FALSE(RunScenario("nope", {}).has_value());
}

TEST(ScenarioSuiteTest, RetryStormPassesOnOneSeedAndReportsJson) {
  SuiteOptions options;
  options.seeds = 1;
  auto outcome = RunScenario("retry_storm", options);
  ASSERT_TRUE(outcome.has_value());
  for (const Criterion& c : outcome->criteria) {
    EXPECT_TRUE(c.pass) << c.name << " " << c.value << " vs " << c.threshold;
  }
  EXPECT_TRUE(outcome->pass);
  const auto j = SuiteJson({*outcome});
  ASSERT_EQ(j["scenarios"].size(), 1u);
  EXPECT_EQ(j["scenarios"][0]["name"], "retry_storm");
  EXPECT_EQ(j["scenarios"][0]["pass"], true);
  const auto& c = j["scenarios"][0]["criteria"][0];
  EXPECT_TRUE(c.contains("name") && c.contains("value") && c.contains("threshold") &&
              c.contains("pass"));
}

TEST(ScenarioPlantTest, ProvisioningTakesTheDelayAndTelemetryDropsSomePoints) {
  PlantServiceSpec spec;
  spec.id = "api";
  spec.profile.demand = [](double) { return 1000.0; };
  spec.initial_replicas = 8;
  PlantOptions options;
  ScenarioPlant plant({spec}, options, 7);
  size_t points = 0;
  for (double t = 0; t < 1000; ++t) points += plant.Step(t).size();
  // 2 % dropped: 980 expected; binomial sd 4.4, so +-20 is over 4 sd.
  EXPECT_NEAR(static_cast<double>(points), 980.0, 20.0);
  const auto& h = plant.history(0);
  EXPECT_NEAR(h.back().capacity, 1600.0, 1e-9);  // 8 x 200 rps
  double sum = 0;
  for (const PlantSecond& s : h) sum += s.unique;
  EXPECT_NEAR(sum / h.size(), 1000.0, 5.0);  // Poisson mean; sd of the mean ~1
}

}  // namespace
}  // namespace huddle::engine
