#include "core/thermal/adaptive_thresholds.h"

#include <gtest/gtest.h>

namespace huddle::core {
namespace {

TimePoint At(double s) { return TimePoint{} + FromSeconds(s); }

TEST(AdaptiveThresholdsTest, AdjustmentBandsAndLinearPart) {
  EXPECT_DOUBLE_EQ(AdaptiveThresholds::Adjustment(2.0), 0.10);
  EXPECT_DOUBLE_EQ(AdaptiveThresholds::Adjustment(0.5), -0.10);
  // Linear from -0.10 at 0.7 to +0.10 at 1.5: zero at 1.1, -0.025 at 1.0.
  EXPECT_NEAR(AdaptiveThresholds::Adjustment(0.7), -0.10, 1e-12);
  EXPECT_NEAR(AdaptiveThresholds::Adjustment(1.5), 0.10, 1e-12);
  EXPECT_NEAR(AdaptiveThresholds::Adjustment(1.1), 0.0, 1e-12);
  EXPECT_NEAR(AdaptiveThresholds::Adjustment(1.0), -0.025, 1e-12);
}

TEST(AdaptiveThresholdsTest, WaitsForAFullWindow) {
  AdaptiveThresholds a(0.55, 0.30, 20, FromSeconds(5));
  for (int i = 0; i < 19; ++i) a.AddSample(100.0 * (i + 1));
  EXPECT_FALSE(a.Update(At(100)));
  EXPECT_DOUBLE_EQ(a.heat(), 0.55);
  EXPECT_DOUBLE_EQ(a.cool(), 0.30);
}

TEST(AdaptiveThresholdsTest, RisingLatencyLoosensFallingTightens) {
  AdaptiveThresholds a(0.55, 0.30, 20, FromSeconds(5));
  for (int i = 0; i < 10; ++i) a.AddSample(20.0);
  for (int i = 0; i < 10; ++i) a.AddSample(40.0);
  ASSERT_TRUE(a.Update(At(0)));
  EXPECT_DOUBLE_EQ(a.last_ratio(), 2.0);  // median of the last 5 (40) over the older 10 (20)
  EXPECT_NEAR(a.heat(), 0.65, 1e-12);
  EXPECT_NEAR(a.cool(), 0.35, 1e-12);

  for (int i = 0; i < 20; ++i) a.AddSample(i < 10 ? 40.0 : 10.0);
  EXPECT_FALSE(a.Update(At(4.9)));  // at most once per interval
  ASSERT_TRUE(a.Update(At(5)));
  EXPECT_DOUBLE_EQ(a.last_ratio(), 0.25);
  EXPECT_NEAR(a.heat(), 0.45, 1e-12);
  EXPECT_NEAR(a.cool(), 0.25, 1e-12);
}

TEST(AdaptiveThresholdsTest, StaysWithinBounds) {
  AdaptiveThresholds high(0.80, 0.50, 20, FromSeconds(5));
  for (int i = 0; i < 20; ++i) high.AddSample(i < 10 ? 10.0 : 1000.0);
  ASSERT_TRUE(high.Update(At(0)));
  EXPECT_DOUBLE_EQ(high.heat(), AdaptiveThresholds::kMaxHeat);  // 0.90 clamped to 0.85
  EXPECT_NEAR(high.cool(), 0.55, 1e-12);                        // 0.55 <= heat - 0.15 = 0.70

  AdaptiveThresholds low(0.40, 0.30, 20, FromSeconds(5));
  for (int i = 0; i < 20; ++i) low.AddSample(i < 10 ? 1000.0 : 10.0);
  ASSERT_TRUE(low.Update(At(0)));
  EXPECT_DOUBLE_EQ(low.heat(), AdaptiveThresholds::kMinHeat);  // 0.30 clamped to 0.35
  EXPECT_NEAR(low.cool(), 0.20, 1e-12);                        // 0.25 capped at heat - 0.15

  AdaptiveThresholds floor(0.55, 0.12, 20, FromSeconds(5));
  for (int i = 0; i < 20; ++i) floor.AddSample(i < 10 ? 1000.0 : 10.0);
  ASSERT_TRUE(floor.Update(At(0)));
  EXPECT_DOUBLE_EQ(floor.cool(), AdaptiveThresholds::kMinCool);  // 0.07 clamped to 0.10
}

TEST(AdaptiveThresholdsTest, GuardsTinyOlderMedian) {
  // Sub-millisecond latencies: the older median is floored at 1 ms, so 0.1 -> 0.5 ms is not
  // read as a five-fold rise.
  AdaptiveThresholds a(0.55, 0.30, 20, FromSeconds(5));
  for (int i = 0; i < 20; ++i) a.AddSample(i < 10 ? 0.1 : 0.5);
  ASSERT_TRUE(a.Update(At(0)));
  EXPECT_DOUBLE_EQ(a.last_ratio(), 0.5);
  EXPECT_NEAR(a.heat(), 0.45, 1e-12);
}

}  // namespace
}  // namespace huddle::core
