#include "core/thermal/sample_ring.h"

#include <gtest/gtest.h>

#include <vector>

namespace huddle::core {
namespace {

TEST(SampleRingTest, KeepsTheLastValuesOldestFirst) {
  SampleRing ring(3);
  EXPECT_TRUE(ring.empty());
  EXPECT_EQ(ring.Mean(), 0.0);
  for (double v : {1.0, 2.0, 3.0, 4.0, 5.0}) ring.Push(v);
  ASSERT_EQ(ring.size(), 3u);
  EXPECT_TRUE(ring.full());
  EXPECT_EQ(ring.At(0), 3.0);
  EXPECT_EQ(ring.At(1), 4.0);
  EXPECT_EQ(ring.At(2), 5.0);
  EXPECT_DOUBLE_EQ(ring.Mean(), 4.0);
  ring.Clear();
  EXPECT_EQ(ring.size(), 0u);
  ring.Push(7.0);
  EXPECT_EQ(ring.At(0), 7.0);
  EXPECT_DOUBLE_EQ(ring.Mean(), 7.0);
}

TEST(SampleRingTest, NearestRankQuantile) {
  SampleRing ring(10);
  std::vector<double> scratch(10);
  for (int i = 10; i >= 1; --i) ring.Push(i);  // 1..10 in reverse order
  // Nearest rank: ceil(0.95 * 10) = 10th smallest = 10; ceil(0.5 * 10) = 5th = 5.
  EXPECT_EQ(ring.Quantile(0.95, scratch), 10.0);
  EXPECT_EQ(ring.Quantile(0.5, scratch), 5.0);
  EXPECT_EQ(ring.Quantile(0.1, scratch), 1.0);
  // Does not disturb the ring.
  EXPECT_EQ(ring.At(0), 10.0);
}

TEST(SampleRingTest, MedianOfOddAndEvenCounts) {
  std::vector<double> odd{5, 1, 3};
  EXPECT_EQ(MedianInPlace(odd), 3.0);
  std::vector<double> even{40, 10, 30, 20};
  EXPECT_EQ(MedianInPlace(even), 25.0);
  std::vector<double> none;
  EXPECT_EQ(MedianInPlace(none), 0.0);
}

}  // namespace
}  // namespace huddle::core
