#include "core/control/seasonal_profile.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/control/demand_scenarios.h"
#include "core/control/forecaster_selector.h"
#include "core/random.h"

namespace huddle::core {
namespace {

constexpr double kCycle[] = {1, 5, 3, 7};

SeasonalProfileOptions OneStepBuckets() {
  return {.bucket_steps = 1, .max_buckets = 64, .min_period = 2};
}

TEST(SeasonalProfileTest, FindsThePeriodOfARepeatedCycle) {
  SeasonalProfile p(OneStepBuckets());
  for (int t = 0; t < 11; ++t) p.Add(kCycle[t % 4]);
  // 11 buckets: lag 4 has 7 pairs, fewer than the 8 required; no period yet.
  EXPECT_FALSE(p.active());
  p.Add(kCycle[11 % 4]);
  // 12 buckets, by hand (cycle 1 5 3 7): d(1) = 180 / 11, d(2) = 4, d'(2) = 8 / (d(1) + d(2))
  // = 0.39; d(3) = 180 / 9 = 20, d'(3) = 60 / 40.4 = 1.49; d(4) = 0, d'(4) = 0 -> P = 4.
  ASSERT_TRUE(p.active());
  EXPECT_EQ(p.period_steps(), 4u);
  // Latest sample is index 11 (value 7); one step ahead is index 12, the cycle's 1.
  EXPECT_DOUBLE_EQ(p.Forecast(1), 1.0);
  EXPECT_DOUBLE_EQ(p.Forecast(2), 5.0);
  EXPECT_DOUBLE_EQ(p.Forecast(4), 7.0);
}

TEST(SeasonalProfileTest, InterpolatesBucketMeansAtTheirCentres) {
  SeasonalProfile p({.bucket_steps = 2, .max_buckets = 64, .min_period = 2});
  for (int t = 0; t < 24; ++t) p.Add(kCycle[(t / 2) % 4]);
  ASSERT_TRUE(p.active());
  EXPECT_EQ(p.period_steps(), 8u);
  // Latest index 23; h = 2 targets index 25, one period back index 17: bucket coordinate
  // (17 - 0.5) / 2 = 8.25, between bucket 8 (mean 1) and bucket 9 (mean 5): 0.75 + 1.25 = 2.
  EXPECT_DOUBLE_EQ(p.Forecast(2), 2.0);
}

TEST(SeasonalProfileTest, AddsTheLevelChangeOverOnePeriod) {
  SeasonalProfile p(OneStepBuckets());
  // Cycle plus a trend of 0.1 per step: every bucket sits 0.4 above the one a period earlier.
  for (int t = 0; t < 12; ++t) p.Add(kCycle[t % 4] + 0.1 * t);
  ASSERT_TRUE(p.active());
  EXPECT_EQ(p.period_steps(), 4u);
  // h = 1: bucket 8 (1 + 0.8) + 0.4 = 2.2, which is exactly y(12) = 1 + 1.2.
  EXPECT_NEAR(p.Forecast(1), 2.2, 1e-12);
  // h = 3: bucket 10 (3 + 1.0) + 0.4 = 4.4 = y(14).
  EXPECT_NEAR(p.Forecast(3), 4.4, 1e-12);
}

TEST(SeasonalProfileTest, NoPeriodOnARampOrOnNoise) {
  SeasonalProfile ramp(OneStepBuckets());
  // d(L) = L^2, so d'(L) = 6 L^2 / ((L + 1)(2L + 1)) -> 3, never under 0.15.
  for (int t = 0; t < 64; ++t) ramp.Add(100.0 + t);
  EXPECT_FALSE(ramp.active());
  // White noise: d'(L) ~ 1 with at least 8 pairs per lag; fixed seed.
  SeasonalProfile noise(OneStepBuckets());
  Xoshiro256 random(42);
  for (int t = 0; t < 64; ++t) noise.Add(100.0 + 10.0 * StandardNormal(random));
  EXPECT_FALSE(noise.active());
  noise.Add(std::nan(""));  // ignored
  EXPECT_EQ(noise.buckets(), 64u);
}

TEST(ForecasterSelectorTest, UsesTheSeasonBeyondTheScoredHorizon) {
  ForecasterSelectorOptions o;
  o.horizon_steps = 5;
  o.long_horizon_steps = 50;
  o.season = {.bucket_steps = 5, .max_buckets = 200};
  ForecasterSelector selector(o);
  auto y = [](int t) { return 500.0 + 100.0 * std::sin(2 * M_PI * t / 200.0); };
  int t = 0;
  for (; t < 500; ++t) selector.Add(y(t));
  ASSERT_TRUE(selector.season().active());
  EXPECT_EQ(selector.season().period_steps(), 200u);
  EXPECT_EQ(selector.chosen_long(), ForecasterKind::kSeasonal);
  // 50 steps ahead of t = 499: the profile one period back, off only by bucket averaging and
  // linear interpolation of the sine (~0.3 at most).
  EXPECT_NEAR(selector.Forecast(50), y(t - 1 + 50), 1.0);
  // The short-horizon forecast is still the chosen model's.
  EXPECT_DOUBLE_EQ(selector.Forecast(5), selector.ForecastWith(selector.chosen(), 5));
  // Damped Holt is far off at 50 steps on the falling side of the cycle.
  EXPECT_GT(std::abs(selector.ForecastWith(ForecasterKind::kDampedHolt, 50) - y(t - 1 + 50)), 5.0);
}

}  // namespace
}  // namespace huddle::core
