#include "core/health/slow_start.h"

#include <gtest/gtest.h>

#include <cmath>

namespace huddle::core {
namespace {

SlowStartOptions Window(double seconds, double aggression = 1.0, double min_percent = 10) {
  return SlowStartOptions{FromSeconds(seconds), aggression, min_percent};
}

TEST(SlowStartTest, OffByDefault) {
  EXPECT_DOUBLE_EQ(SlowStartFactor(SlowStartOptions{}, Duration::zero()), 1.0);
  EXPECT_FALSE(InSlowStart(SlowStartOptions{}, Duration::zero()));
}

TEST(SlowStartTest, LinearRampWithAggressionOne) {
  const SlowStartOptions o = Window(10);
  // time_factor = max(t, 1 s) / 10 s.
  EXPECT_DOUBLE_EQ(SlowStartFactor(o, Duration::zero()), 0.1);  // floored at 1 s: 1/10
  EXPECT_DOUBLE_EQ(SlowStartFactor(o, FromMillis(500)), 0.1);
  EXPECT_DOUBLE_EQ(SlowStartFactor(o, FromSeconds(2.5)), 0.25);
  EXPECT_DOUBLE_EQ(SlowStartFactor(o, FromSeconds(5)), 0.5);
  EXPECT_DOUBLE_EQ(SlowStartFactor(o, FromSeconds(9)), 0.9);
  EXPECT_TRUE(InSlowStart(o, FromSeconds(9.999)));
}

TEST(SlowStartTest, FullWeightFromTheEndOfTheWindow) {
  const SlowStartOptions o = Window(10);
  EXPECT_DOUBLE_EQ(SlowStartFactor(o, FromSeconds(10)), 1.0);
  EXPECT_DOUBLE_EQ(SlowStartFactor(o, FromSeconds(3600)), 1.0);
  EXPECT_FALSE(InSlowStart(o, FromSeconds(10)));
}

TEST(SlowStartTest, HigherAggressionRampsFasterEarly) {
  const SlowStartOptions o = Window(10, /*aggression=*/2.0);
  // factor = (t / 10)^(1/2).
  EXPECT_DOUBLE_EQ(SlowStartFactor(o, FromSeconds(2.5)), 0.5);
  EXPECT_NEAR(SlowStartFactor(o, FromSeconds(1)), std::sqrt(0.1), 1e-12);  // 0.316
  EXPECT_NEAR(SlowStartFactor(o, FromSeconds(8.1)), 0.9, 1e-12);
}

TEST(SlowStartTest, LowerAggressionRampsSlowerAndHitsTheFloor) {
  const SlowStartOptions o = Window(10, /*aggression=*/0.5);
  // factor = max(0.1, (t / 10)^2).
  EXPECT_DOUBLE_EQ(SlowStartFactor(o, FromSeconds(5)), 0.25);
  EXPECT_DOUBLE_EQ(SlowStartFactor(o, FromSeconds(2)), 0.1);  // 0.04 raised to the 10 % floor
  EXPECT_NEAR(SlowStartFactor(o, FromSeconds(9)), 0.81, 1e-12);
}

TEST(SlowStartTest, MinWeightPercentIsTheFloor) {
  EXPECT_NEAR(SlowStartFactor(Window(10, 0.5, /*min_percent=*/0), FromSeconds(2)), 0.04, 1e-12);
  EXPECT_DOUBLE_EQ(SlowStartFactor(Window(10, 1.0, /*min_percent=*/30), FromSeconds(2)), 0.3);
  EXPECT_DOUBLE_EQ(SlowStartFactor(Window(10, 1.0, /*min_percent=*/30), FromSeconds(4)), 0.4);
}

TEST(SlowStartTest, NegativeElapsedCountsAsZeroAndShortWindowsCapAtOne) {
  EXPECT_DOUBLE_EQ(SlowStartFactor(Window(10), -FromSeconds(5)), 0.1);
  // A window under 1 s: max(t, 1 s) / window > 1, clamped to full weight.
  EXPECT_DOUBLE_EQ(SlowStartFactor(Window(0.5), FromMillis(100)), 1.0);
}

TEST(SlowStartOptionsTest, ParsesAndValidates) {
  Result<SlowStartOptions> d = SlowStartOptions::Parse({});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->window, Duration::zero());
  EXPECT_DOUBLE_EQ(d->aggression, 1.0);
  EXPECT_DOUBLE_EQ(d->min_weight_percent, 10);

  Result<SlowStartOptions> o = SlowStartOptions::Parse(
      {{"window", "60s"}, {"aggression", "1.5"}, {"min_weight_percent", "5"}});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->window, FromSeconds(60));
  EXPECT_DOUBLE_EQ(o->aggression, 1.5);
  EXPECT_DOUBLE_EQ(o->min_weight_percent, 5);

  Result<SlowStartOptions> bad =
      SlowStartOptions::Parse({{"aggression", "0"}, {"min_weight_percent", "150"}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("aggression"), std::string::npos);
  EXPECT_NE(bad.error().message.find("min_weight_percent"), std::string::npos);
}

}  // namespace
}  // namespace huddle::core
