#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/control/capacity_timeline.h"
#include "core/control/demand_scenarios.h"
#include "core/control/monte_carlo_projection.h"
#include "core/random.h"

namespace huddle::core {
namespace {

MonteCarloOptions Deterministic() {
  MonteCarloOptions o;
  o.scenarios = 10;
  return o;
}

TEST(CapacityTimelineTest, NewReplicasArriveAfterTheDelay) {
  CapacityTimeline c{.ready = 4,
                     .pending = 2,
                     .pending_ready_after = FromSeconds(10),
                     .provisioning_delay = FromSeconds(30)};
  EXPECT_DOUBLE_EQ(c.ReplicasAt(FromSeconds(5), 10), 4);
  EXPECT_DOUBLE_EQ(c.ReplicasAt(FromSeconds(10), 10), 6);
  EXPECT_DOUBLE_EQ(c.ReplicasAt(FromSeconds(30), 10), 10);
  EXPECT_DOUBLE_EQ(c.ReplicasAt(FromSeconds(5), 2), 2);   // scale-in at once
  EXPECT_DOUBLE_EQ(c.ReplicasAt(FromSeconds(40), 5), 5);  // only one of the pending is kept
}

TEST(DemandScenariosTest, LogNormalWalkHasTheForecastAsMean) {
  // sigma = 0.05 per step: at step 60 the log-variance is 0.15, the relative sd of one path
  // sqrt(e^0.15 - 1) = 0.40, of the mean of 20000 paths 0.0028: 1.5 % is over 5 sd.
  const size_t kPaths = 20000;
  DemandScenarios scenarios(kPaths, 60);
  Xoshiro256 random(7);
  std::vector<double> forecast(60, 100.0);
  scenarios.Generate(forecast, {.sigma = 0.05}, random);
  double sum = 0.0;
  double sum_log = 0.0;
  double sum_log2 = 0.0;
  for (size_t s = 0; s < kPaths; ++s) {
    const double v = scenarios.At(s, 59);
    sum += v;
    sum_log += std::log(v / 100.0);
    sum_log2 += std::log(v / 100.0) * std::log(v / 100.0);
  }
  const double n = static_cast<double>(kPaths);
  EXPECT_NEAR(sum / n, 100.0, 1.5);
  const double mean_log = sum_log / n;
  EXPECT_NEAR(mean_log, -0.075, 0.015);                         // -sigma^2 k / 2
  EXPECT_NEAR(sum_log2 / n - mean_log * mean_log, 0.15, 0.01);  // sigma^2 k, sd of var ~0.0015
}

TEST(MonteCarloProjectionTest, FlatDemandBelowAndAboveTheThreshold) {
  MonteCarloProjection mc(Deterministic());
  Xoshiro256 random(1);
  std::vector<double> forecast(60, 95.0);
  const CapacityTimeline one{.ready = 1};
  ProjectionResult r = mc.Project(forecast, 0.0, 100.0, one, 1, random);
  EXPECT_DOUBLE_EQ(r.saturation_probability, 1.0);
  EXPECT_DOUBLE_EQ(r.median_time_to_saturation_s, 1.0);  // rho 0.95 from the first step
  EXPECT_NEAR(r.peak_rho_p50, 0.95, 1e-12);
  std::fill(forecast.begin(), forecast.end(), 50.0);
  r = mc.Project(forecast, 0.0, 100.0, one, 1, random);
  EXPECT_DOUBLE_EQ(r.saturation_probability, 0.0);
  EXPECT_TRUE(std::isinf(r.median_time_to_saturation_s));
}

TEST(MonteCarloProjectionTest, RampCrossesAtTheRightTime) {
  MonteCarloProjection mc(Deterministic());
  Xoshiro256 random(1);
  std::vector<double> forecast(60);
  for (size_t k = 0; k < 60; ++k) forecast[k] = 50.0 + static_cast<double>(k + 1);  // t = k + 1
  const ProjectionResult r = mc.Project(forecast, 0.0, 100.0, {.ready = 1}, 1, random);
  // rho >= 0.9 from lambda = 90, i.e. t = 40 s, and held to the end.
  EXPECT_DOUBLE_EQ(r.saturation_probability, 1.0);
  EXPECT_DOUBLE_EQ(r.median_time_to_saturation_s, 40.0);
}

TEST(MonteCarloProjectionTest, PendingReplicasShortenTheRunBelowTheHold) {
  MonteCarloOptions o = Deterministic();
  o.hold = FromSeconds(30);
  MonteCarloProjection mc(o);
  Xoshiro256 random(1);
  std::vector<double> forecast(60, 95.0);
  // Saturated for t < 20 s only, then a second replica halves rho: no 30 s run.
  const CapacityTimeline c{.ready = 1, .pending = 1, .pending_ready_after = FromSeconds(20)};
  EXPECT_DOUBLE_EQ(mc.Project(forecast, 0.0, 100.0, c, 2, random).saturation_probability, 0.0);
  EXPECT_DOUBLE_EQ(mc.Project(forecast, 0.0, 100.0, c, 1, random).saturation_probability, 1.0);
}

TEST(MonteCarloProjectionTest, ProbabilityGrowsWithVolatility) {
  MonteCarloProjection mc;  // 200 scenarios
  std::vector<double> forecast(60, 80.0);
  Xoshiro256 a(3);
  Xoshiro256 b(3);
  const double calm = mc.Project(forecast, 0.01, 100.0, {.ready = 1}, 1, a).saturation_probability;
  const double wild = mc.Project(forecast, 0.05, 100.0, {.ready = 1}, 1, b).saturation_probability;
  // sigma 0.01: log-sd 0.077 at 60 s vs the 0.118 gap to rho 0.9 needing a 5 s hold: rare.
  // sigma 0.05: log-sd 0.39: a large share of paths cross.
  EXPECT_LT(calm, 0.15);
  EXPECT_GT(wild, 0.3);
  EXPECT_LT(wild, 0.9);
  EXPECT_TRUE(MonteCarloOptions::Parse({{"scenarios", "500"}, {"horizon", "60s"}}).has_value());
  EXPECT_FALSE(MonteCarloOptions::Parse({{"step", "90s"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
