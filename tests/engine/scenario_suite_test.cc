#include "engine/scenario_suite.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/scenario_baselines.h"
#include "engine/scenario_oracle.h"
#include "engine/scenario_plant.h"

namespace huddle::engine {
namespace {

TEST(ScenarioSuiteTest, HasTheReferenceScenariosAndThreeFalseAlarmOnes) {
  const auto names = ScenarioNames();
  EXPECT_EQ(names.size(), 13u);
  for (const char* n : {"steady", "ramp", "spike", "capacity_loss", "plateau", "blip", "noisy_080"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  EXPECT_FALSE(RunScenario("nope", {}).has_value());
}

// The suite's pass/fail is a report, not a unit test: `huddle engine-scenarios` exits 1 when a
// criterion fails (docs/benchmarks/engine.md). This test checks that one scenario runs and
// reports every part the issue asks for: criteria, the baselines beside the engine and the
// oracle planner, with the figures worked out from the run; and that the retry storm, which
// passes, keeps passing.
TEST(ScenarioSuiteTest, RetryStormReportsCriteriaBaselinesAndTheOracle) {
  SuiteOptions options;
  options.seeds = 1;
  auto outcome = RunScenario("retry_storm", options);
  ASSERT_TRUE(outcome.has_value());
  ASSERT_FALSE(outcome->criteria.empty());
  bool efficiency = false, headline = false;
  for (const Criterion& c : outcome->criteria) {
    EXPECT_TRUE(std::isfinite(c.value)) << c.name;
    efficiency |= c.name.starts_with("efficiency (replica-s / oracle planner)");
    headline |= c.name.starts_with("beats every baseline: breach windows");
  }
  EXPECT_TRUE(efficiency);
  EXPECT_TRUE(headline);
  // The retry storm passes every criterion on seeds 1-20 (docs/benchmarks/engine.md), so this
  // one stays a pass/fail check; the scenarios that fail are reported by the command.
  for (const Criterion& c : outcome->criteria) {
    EXPECT_TRUE(c.pass) << c.name << " " << c.value << " vs " << c.threshold;
  }
  EXPECT_TRUE(outcome->pass);
  std::map<std::string, std::map<std::string, double>> rows;
  for (const ComparisonRow& r : outcome->comparison) rows[r.name] = r.metrics;
  ASSERT_TRUE(rows.count("engine") && rows.count("hpa") && rows.count("oracle"));
  // 1 000 rps at 200 rps per replica and rho* 0.65 needs 8 replicas; the oracle pays for them.
  EXPECT_EQ(rows["oracle"]["peak_replicas"], 8.0);
  EXPECT_EQ(rows["oracle"]["replica_s_over_oracle"], 1.0);
  // The HPA starts at 8 replicas and pays for at least those.
  EXPECT_GE(rows["hpa"]["replica_s_over_oracle"], 0.99);
  EXPECT_GE(rows["engine"]["failed_pct"], 0.0);
  const auto j = SuiteJson({*outcome});
  ASSERT_EQ(j["scenarios"].size(), 1u);
  EXPECT_EQ(j["scenarios"][0]["name"], "retry_storm");
  EXPECT_TRUE(j["scenarios"][0]["comparison"].contains("hpa"));
  EXPECT_EQ(j["scenarios"][0]["headline"][0], "breach_windows");
  const auto& c = j["scenarios"][0]["criteria"][0];
  EXPECT_TRUE(c.contains("name") && c.contains("value") && c.contains("threshold") &&
              c.contains("pass"));
  const std::string md = SuiteMarkdown({*outcome});
  EXPECT_NE(md.find("| hpa |"), std::string::npos);
  EXPECT_NE(md.find("| oracle |"), std::string::npos);
}

TEST(ScenarioOracleTest, PaysForAStepFromOneDelayBeforeIt) {
  PlantServiceSpec spec;
  spec.id = "api";
  spec.profile.demand = [](double t) { return t >= 120 ? 4000.0 : 1000.0; };
  OracleOptions o;  // rho* 0.65, D 30 s, 8 workers x 25 rps = 200 rps per replica
  EXPECT_EQ(OracleNeed({spec}, 0, 0, o), 8);     // ceil(1000 / 130) = 8
  EXPECT_EQ(OracleNeed({spec}, 0, 120, o), 31);  // ceil(4000 / 130) = 31
  const auto paid = OracleProvisioned({spec}, 0, 0, 200, o);
  ASSERT_EQ(paid.size(), 200u);
  EXPECT_EQ(paid[89], 8);
  EXPECT_EQ(paid[90], 31);  // ordered D = 30 s ahead, paid while pending
  // 90 s at 8 and 110 s at 31.
  EXPECT_DOUBLE_EQ(OracleReplicaSeconds({spec}, 0, 0, 200, o), 90 * 8 + 110 * 31);
}

TEST(ScenarioOracleTest, ReleasesAtOnceAndSumsCallersForInnerServices) {
  PlantServiceSpec a, b, c;
  a.id = "A";
  a.profile.demand = [](double t) { return t < 50 ? 2600.0 : 260.0; };
  b.id = "B";
  b.profile.demand = [](double) { return 1300.0; };
  c.id = "C";
  c.entry = false;
  c.callers = {"A", "B"};
  c.profile.demand = [](double) { return 0.0; };
  const std::vector<PlantServiceSpec> specs = {a, b, c};
  OracleOptions o;
  EXPECT_DOUBLE_EQ(OracleDemand(specs, 2, 0), 3900.0);
  EXPECT_EQ(OracleNeed(specs, 2, 0, o), 30);
  EXPECT_EQ(OracleNeed(specs, 0, 60, o), 2);  // ceil(260 / 130) = 2, the floor too
  const auto paid = OracleProvisioned(specs, 0, 0, 60, o);
  EXPECT_EQ(paid[49], 20);
  EXPECT_EQ(paid[50], 2);
}

PlantSecond Second(double t, double cpu, int healthy) {
  PlantSecond s;
  s.t = t;
  s.measured_cpu = cpu;
  s.telemetry_sent = true;
  s.healthy = healthy;
  s.provisioned = healthy;
  return s;
}

TEST(HpaBaselineTest, ScalesOnUtilisationOverTargetWithinTheRateLimitAndHoldsInTolerance) {
  HpaBaseline::Options o;  // target 0.65, tolerance 0.1, sync 15 s, +4 pods or +100 % per 15 s
  HpaBaseline hpa(o);
  std::vector<PlantSecond> h;
  // In tolerance: 0.70 / 0.65 = 1.077.
  for (int t = 0; t < 15; ++t) h.push_back(Second(t, 0.70, 8));
  EXPECT_EQ(hpa.Decide(h, 14).target, 8);
  // Saturated: ceil(8 x 1.0 / 0.65) = 13 (<= 16, the +100 % limit).
  for (int t = 15; t < 30; ++t) h.push_back(Second(t, 1.0, 8));
  EXPECT_EQ(hpa.Decide(h, 15).target, 8);  // between syncs (14, then 29)
  EXPECT_EQ(hpa.Decide(h, 29).target, 13);
  // Between syncs the target holds.
  h.push_back(Second(30, 0.1, 8));
  EXPECT_EQ(hpa.Decide(h, 30).target, 13);
}

TEST(HpaBaselineTest, SkipsDroppedPointsAndNeverSheds) {
  HpaBaseline hpa({});
  std::vector<PlantSecond> h;
  for (int t = 0; t < 15; ++t) {
    h.push_back(Second(t, 1.0, 4));
    if (t % 2 == 0) {
      h.back().telemetry_sent = false;
      h.back().measured_cpu = 0.0;
    }
  }
  const PlantDecision d = hpa.Decide(h, 14);
  EXPECT_EQ(d.target, 7);  // ceil(4 / 0.65) = 7: the dropped zeros are not averaged in
  EXPECT_EQ(d.admit_probability, 1.0);
  EXPECT_EQ(d.concurrency_limit, 0u);
}

TEST(UtilisationAlarmTest, FiresOnTheFiveSecondMeanAndRepeatsAfterTheCooldown) {
  std::vector<PlantSecond> h;
  for (int t = 0; t < 100; ++t) h.push_back(Second(t, t < 10 ? 0.5 : 0.9, 8));
  // 5 s mean at t = 12: (0.5 x 2 + 0.9 x 3) / 5 = 0.74 >= 0.7; at t = 11: 0.66.
  const auto fired = UtilisationAlarms(h, 0.7, 30);
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0], 12);
  EXPECT_EQ(fired[1], 42);
  EXPECT_EQ(fired[2], 72);
  EXPECT_TRUE(UtilisationAlarms(h, 0.95).empty());
}

TEST(BaselineForecastTest, NaiveSeasonalAndOlsGiveTheirClosedForms) {
  std::vector<double> y;
  for (int t = 0; t < 200; ++t) y.push_back(100.0 + 2.0 * t + (t % 50 == 7 ? 30.0 : 0.0));
  EXPECT_EQ(NaiveForecast(y, 120, 30), y[120]);
  EXPECT_EQ(SeasonalNaiveForecast(y, 120, 30, 50), y[100]);  // 120 + 30 - 50
  EXPECT_EQ(SeasonalNaiveForecast(y, 10, 30, 50), y[10]);    // before one period: naive
  // An exact line (away from the bumps at 7, 57, 107, 157: window 110..169 holds 157).
  std::vector<double> line;
  for (int t = 0; t < 200; ++t) line.push_back(100.0 + 2.0 * t);
  EXPECT_NEAR(Ols60Forecast(line, 150, 30), 100.0 + 2.0 * 180, 1e-9);
  EXPECT_NEAR(Ols60Forecast(line, 20, 10), 100.0 + 2.0 * 30, 1e-9);  // 21 points so far
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
  size_t sent = 0;
  for (const PlantSecond& s : h) sent += s.telemetry_sent ? 1 : 0;
  EXPECT_EQ(sent, points);
}

TEST(ScenarioPlantTest, ADecisionOrdersReplicasThatArriveWithinTheDelay) {
  PlantServiceSpec spec;
  spec.id = "api";
  spec.profile.demand = [](double) { return 1000.0; };
  spec.initial_replicas = 8;
  ScenarioPlant plant({spec}, PlantOptions{}, 3);
  (void)plant.Step(0);
  PlantDecision d;
  d.target = 12;
  plant.ApplyDecision(0, d, 0);
  for (double t = 1; t < 60; ++t) (void)plant.Step(t);
  const auto& h = plant.history(0);
  EXPECT_EQ(h[1].provisioned, 12);
  EXPECT_EQ(h[19].healthy, 8);   // U(20, 40) s: none before 20 s
  EXPECT_EQ(h[40].healthy, 12);  // all by 40 s
  d.target = 9;
  plant.ApplyDecision(0, d, 60);
  (void)plant.Step(60);
  EXPECT_EQ(plant.history(0).back().provisioned, 9);  // surplus terminated at once
}

}  // namespace
}  // namespace huddle::engine
