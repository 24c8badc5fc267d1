#include "core/tasks/dynamic_thresholds.h"

#include <gtest/gtest.h>

namespace huddle::core {
namespace {

TEST(DynamicThresholdsTest, NeedsFiveRecords) {
  DynamicThresholds t(0.85, 0.2, 0.05);
  for (int i = 0; i < 4; ++i) t.AddSystemLoad(0.9);
  EXPECT_FALSE(t.Update());
  EXPECT_DOUBLE_EQ(t.high(), 0.85);
  EXPECT_DOUBLE_EQ(t.low(), 0.2);
  t.AddSystemLoad(0.9);
  EXPECT_TRUE(t.Update());
}

TEST(DynamicThresholdsTest, StableHighLoadLowersHighRaisesLow) {
  DynamicThresholds t(0.85, 0.2, 0.05);
  for (int i = 0; i < 5; ++i) t.AddSystemLoad(0.8);
  ASSERT_TRUE(t.Update());
  EXPECT_EQ(t.trend(), LoadTrend::kStable);
  // f = 0.05; high -= 1.2 f, low += 0.8 f.
  EXPECT_NEAR(t.high(), 0.79, 1e-12);
  EXPECT_NEAR(t.low(), 0.24, 1e-12);
}

TEST(DynamicThresholdsTest, IncreasingNormalLoadUsesOneAndAHalfRate) {
  DynamicThresholds t(0.85, 0.2, 0.05);
  for (double l : {0.5, 0.55, 0.6, 0.65, 0.7}) t.AddSystemLoad(l);
  ASSERT_TRUE(t.Update());
  EXPECT_EQ(t.trend(), LoadTrend::kIncreasing);
  EXPECT_NEAR(t.slope(), 0.05, 1e-12);
  // avg 0.6 > 0.5: high -= f, low += f with f = 0.075.
  EXPECT_NEAR(t.high(), 0.775, 1e-12);
  EXPECT_NEAR(t.low(), 0.275, 1e-12);
}

TEST(DynamicThresholdsTest, DecreasingLowLoadUsesHalfRate) {
  DynamicThresholds t(0.85, 0.2, 0.05);
  for (double l : {0.3, 0.25, 0.2, 0.15, 0.1}) t.AddSystemLoad(l);
  ASSERT_TRUE(t.Update());
  EXPECT_EQ(t.trend(), LoadTrend::kDecreasing);
  // f = 0.025, avg 0.2 < 0.3: high += 0.8 f = 0.02, low -= 1.2 f = 0.03.
  EXPECT_NEAR(t.high(), 0.87, 1e-12);
  EXPECT_NEAR(t.low(), 0.17, 1e-12);
}

TEST(DynamicThresholdsTest, NormalLowerHalfLoosens) {
  DynamicThresholds t(0.85, 0.2, 0.05);
  for (int i = 0; i < 5; ++i) t.AddSystemLoad(0.4);
  ASSERT_TRUE(t.Update());
  EXPECT_NEAR(t.high(), 0.9, 1e-12);
  EXPECT_NEAR(t.low(), 0.15, 1e-12);
}

TEST(DynamicThresholdsTest, SustainedHighLoadStopsAtClampsAndSeparation) {
  DynamicThresholds t(0.85, 0.2, 0.05);
  for (int i = 0; i < 60; ++i) {
    t.AddSystemLoad(0.9);
    t.Update();
    ASSERT_GE(t.high() - t.low(), DynamicThresholds::kMinSeparation - 1e-12);
  }
  // low climbs to its cap 0.4; high falls until the separation rule holds it at 0.4 + 0.3.
  EXPECT_NEAR(t.low(), 0.4, 1e-12);
  EXPECT_NEAR(t.high(), 0.7, 1e-12);
}

TEST(DynamicThresholdsTest, SustainedLowLoadStopsAtClamps) {
  DynamicThresholds t(0.85, 0.2, 0.05);
  for (int i = 0; i < 60; ++i) {
    t.AddSystemLoad(0.05);
    t.Update();
  }
  EXPECT_NEAR(t.high(), 0.95, 1e-12);
  EXPECT_NEAR(t.low(), 0.1, 1e-12);
}

}  // namespace
}  // namespace huddle::core
