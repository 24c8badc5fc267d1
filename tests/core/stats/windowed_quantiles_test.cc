#include "core/stats/windowed_quantiles.h"

#include <gtest/gtest.h>

#include <vector>

namespace huddle::core {
namespace {

TimePoint At(double seconds) { return TimePoint{} + FromSeconds(seconds); }

// 10 s window in 10 slots of 1 s: slot s covers [s, s + 1) seconds.
WindowedQuantiles TenSeconds() {
  return WindowedQuantiles({.window = FromSeconds(10), .slots = 10});
}

TEST(WindowedQuantilesTest, MakeValidatesOptions) {
  EXPECT_TRUE(WindowedQuantiles::Make({}).has_value());
  EXPECT_FALSE(WindowedQuantiles::Make({.slots = 0}).has_value());
  EXPECT_FALSE(WindowedQuantiles::Make({.slots = 1001}).has_value());
  EXPECT_FALSE(WindowedQuantiles::Make({.window = Duration(5), .slots = 10}).has_value());
  EXPECT_FALSE(WindowedQuantiles::Make({.histogram = {.relative_error = 0.0}}).has_value());
  auto made = WindowedQuantiles::Make({.window = FromSeconds(60), .slots = 6});
  ASSERT_TRUE(made.has_value());
  EXPECT_EQ(made->slot_width(), FromSeconds(10));
}

TEST(WindowedQuantilesTest, OldSlotsLeaveTheWindow) {
  WindowedQuantiles window = TenSeconds();
  for (int i = 0; i < 10; ++i) window.Record(100.0, At(0.5));  // slot 0
  for (int i = 0; i < 10; ++i) window.Record(1.0, At(5.5));    // slot 5

  // At 5.5 s the window holds slots -4..5: all 20 samples.
  EXPECT_EQ(window.Count(At(5.5)), 20u);
  EXPECT_DOUBLE_EQ(window.Max(At(5.5)), 100.0);
  EXPECT_DOUBLE_EQ(window.Min(At(5.5)), 1.0);
  EXPECT_DOUBLE_EQ(window.Mean(At(5.5)), 50.5);
  EXPECT_DOUBLE_EQ(window.Quantile(0.0, At(5.5)), 1.0);
  EXPECT_NEAR(window.Quantile(0.6, At(5.5)), 100.0, 1.0);  // k = floor(0.6 * 19) = 11 -> 100

  // At 9.99 s (slot 9: slots 0..9) slot 0 is still in view; at 10.0 s (slots 1..10) it is not.
  EXPECT_EQ(window.Count(At(9.99)), 20u);
  EXPECT_EQ(window.Count(At(10.0)), 10u);
  EXPECT_DOUBLE_EQ(window.Quantile(0.99, At(10.4)), 1.0);
  EXPECT_DOUBLE_EQ(window.Max(At(10.4)), 1.0);

  // At 15.0 s (slots 6..15) the window is empty.
  EXPECT_EQ(window.Count(At(15.0)), 0u);
  EXPECT_DOUBLE_EQ(window.Quantile(0.5, At(15.0)), 0.0);
  EXPECT_DOUBLE_EQ(window.Mean(At(15.0)), 0.0);
  EXPECT_DOUBLE_EQ(window.Max(At(15.0)), 0.0);
}

TEST(WindowedQuantilesTest, RingPositionIsReusedForItsNextTurn) {
  WindowedQuantiles window = TenSeconds();
  window.Record(7.0, At(0.5));   // slot 0, position 0
  window.Record(9.0, At(10.5));  // slot 10, position 0 again: slot 0's sample is dropped
  EXPECT_EQ(window.Count(At(10.5)), 1u);
  EXPECT_DOUBLE_EQ(window.Quantile(0.5, At(10.5)), 9.0);
  // A jump of several windows leaves nothing stale behind.
  window.Record(3.0, At(100.2));
  EXPECT_EQ(window.Count(At(100.2)), 1u);
  EXPECT_DOUBLE_EQ(window.Mean(At(100.2)), 3.0);
}

TEST(WindowedQuantilesTest, MatchesAHistogramOfTheSamplesInView) {
  // Samples 1..600 spread over 60 s at 10 per second; at 59.95 s the window holds slots 50..59,
  // i.e. samples 501..600, whose quantiles a plain LogHistogram must reproduce exactly.
  WindowedQuantiles window = TenSeconds();
  LogHistogram expected;
  for (int i = 1; i <= 600; ++i) {
    const double t = (i - 1) * 0.1 + 0.05;
    window.Record(static_cast<double>(i), At(t));
    if (i > 500) expected.Record(static_cast<double>(i));
  }
  const TimePoint now = At(59.95);
  EXPECT_EQ(window.Count(now), 100u);
  for (double q : {0.0, 0.25, 0.5, 0.9, 0.99, 1.0}) {
    EXPECT_DOUBLE_EQ(window.Quantile(q, now), expected.Quantile(q)) << "q = " << q;
  }
  EXPECT_DOUBLE_EQ(window.Mean(now), 550.5);
  LogHistogram copy;
  ASSERT_TRUE(window.CopyTo(copy, now).has_value());
  EXPECT_EQ(copy.Count(), 100u);
  EXPECT_DOUBLE_EQ(copy.Min(), 501.0);
  EXPECT_DOUBLE_EQ(copy.Quantile(0.9), expected.Quantile(0.9));
  LogHistogram other({.min_value = 1.0, .max_value = 10.0, .relative_error = 0.1});
  EXPECT_FALSE(window.CopyTo(other, now).has_value());
}

TEST(WindowedQuantilesTest, LateSamplesCountAsNewest) {
  WindowedQuantiles window = TenSeconds();
  window.Record(1.0, At(5.0));
  window.Record(2.0, At(3.0));            // earlier than the newest: counted in slot 5
  EXPECT_EQ(window.Count(At(3.0)), 2u);   // queries in the past are at the newest time too
  EXPECT_EQ(window.Count(At(14.9)), 2u);  // slots 5..14
  EXPECT_EQ(window.Count(At(15.0)), 0u);  // slots 6..15
}

TEST(WindowedQuantilesTest, TimesBeforeTheEpochUseFloorSlots) {
  WindowedQuantiles window = TenSeconds();
  window.Record(4.0, At(-0.5));          // slot -1
  EXPECT_EQ(window.Count(At(8.9)), 1u);  // slots -1..8
  EXPECT_EQ(window.Count(At(9.0)), 0u);  // slots 0..9
}

TEST(WindowedQuantilesTest, SingleSlotIsATumblingWindow) {
  WindowedQuantiles window({.window = FromSeconds(1), .slots = 1});
  window.Record(5.0, At(0.1));
  window.Record(6.0, At(0.9));
  EXPECT_EQ(window.Count(At(0.95)), 2u);
  EXPECT_EQ(window.Count(At(1.0)), 0u);
}

}  // namespace
}  // namespace huddle::core
