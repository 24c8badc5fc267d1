#include "core/stats/sliding_window.h"

#include <gtest/gtest.h>

#include <cmath>

namespace huddle::core {
namespace {

TEST(SlidingWindowTest, EmptyWindowReportsZeros) {
  const SlidingWindow window(10);
  EXPECT_TRUE(window.empty());
  EXPECT_FALSE(window.full());
  EXPECT_EQ(window.capacity(), 10u);
  EXPECT_DOUBLE_EQ(window.Mean(), 0.0);
  EXPECT_DOUBLE_EQ(window.Median(), 0.0);
  EXPECT_DOUBLE_EQ(window.Max(), 0.0);
  EXPECT_DOUBLE_EQ(window.Latest(), 0.0);
}

TEST(SlidingWindowTest, KeepsTheLastNSamples) {
  SlidingWindow window(3);
  for (double v : {1.0, 2.0, 3.0}) window.Add(v);
  EXPECT_TRUE(window.full());
  EXPECT_DOUBLE_EQ(window.Mean(), 2.0);
  EXPECT_DOUBLE_EQ(window.Median(), 2.0);
  EXPECT_DOUBLE_EQ(window.Max(), 3.0);
  window.Add(10.0);  // drops 1
  EXPECT_EQ(window.size(), 3u);
  EXPECT_DOUBLE_EQ(window.At(0), 2.0);
  EXPECT_DOUBLE_EQ(window.At(1), 3.0);
  EXPECT_DOUBLE_EQ(window.At(2), 10.0);
  EXPECT_DOUBLE_EQ(window.Latest(), 10.0);
  EXPECT_DOUBLE_EQ(window.Mean(), 5.0);
  EXPECT_DOUBLE_EQ(window.Median(), 3.0);
  EXPECT_DOUBLE_EQ(window.Min(), 2.0);
  EXPECT_DOUBLE_EQ(window.Max(), 10.0);
  window.Add(0.5);  // drops 2
  EXPECT_DOUBLE_EQ(window.At(0), 3.0);
  EXPECT_DOUBLE_EQ(window.Min(), 0.5);
  EXPECT_DOUBLE_EQ(window.Median(), 3.0);
}

TEST(SlidingWindowTest, EvenSizeMedianAveragesTheMiddlePair) {
  SlidingWindow window(10);
  for (double v : {10.0, 1.0, 3.0, 2.0}) window.Add(v);
  EXPECT_FALSE(window.full());
  EXPECT_DOUBLE_EQ(window.Median(), 2.5);
  EXPECT_DOUBLE_EQ(window.At(0), 10.0);  // insertion order kept
  EXPECT_DOUBLE_EQ(window.At(3), 2.0);
}

TEST(SlidingWindowTest, QuantileOfATwentySampleHistory) {
  // Values 1..20 added in reverse: P95 by type 7 is h = 0.95 * 19 = 18.05 -> 19 + 0.05 = 19.05.
  SlidingWindow history(20);
  for (int i = 20; i >= 1; --i) history.Add(i);
  EXPECT_NEAR(history.Quantile(0.95), 19.05, 1e-12);
  EXPECT_DOUBLE_EQ(history.Quantile(0.0), 1.0);
  EXPECT_DOUBLE_EQ(history.Quantile(1.0), 20.0);
  EXPECT_DOUBLE_EQ(history.Latest(), 1.0);  // the order of the ring is not disturbed
  EXPECT_DOUBLE_EQ(history.At(0), 20.0);
}

TEST(SlidingWindowTest, MeanHasNoDriftAfterManyOverwrites) {
  SlidingWindow window(10);
  for (int i = 0; i < 100'000; ++i) window.Add(i % 2 == 0 ? 1e12 : 0.1);
  for (int i = 0; i < 10; ++i) window.Add(0.1 * (i + 1));  // 0.1 .. 1.0
  EXPECT_NEAR(window.Mean(), 0.55, 1e-15);
}

TEST(SlidingWindowTest, ClearAndNanHandling) {
  SlidingWindow window(4);
  for (double v : {1.0, 2.0, 3.0, 4.0, 5.0}) window.Add(v);
  window.Clear();
  EXPECT_TRUE(window.empty());
  window.Add(NAN);  // ignored
  EXPECT_TRUE(window.empty());
  window.Add(6.0);
  EXPECT_EQ(window.size(), 1u);
  EXPECT_DOUBLE_EQ(window.At(0), 6.0);
  EXPECT_DOUBLE_EQ(window.Median(), 6.0);
}

TEST(SlidingWindowTest, CapacityZeroIsTreatedAsOne) {
  SlidingWindow window(0);
  EXPECT_EQ(window.capacity(), 1u);
  window.Add(1.0);
  window.Add(2.0);
  EXPECT_DOUBLE_EQ(window.Mean(), 2.0);
}

}  // namespace
}  // namespace huddle::core
