#include "core/thermal/median.h"

#include <gtest/gtest.h>

#include <vector>

namespace huddle::core {
namespace {

TEST(MedianInPlaceTest, OddAndEvenCounts) {
  std::vector<double> odd{5, 1, 3};
  EXPECT_EQ(MedianInPlace(odd), 3.0);
  std::vector<double> even{40, 10, 30, 20};
  EXPECT_EQ(MedianInPlace(even), 25.0);
  std::vector<double> one{7};
  EXPECT_EQ(MedianInPlace(one), 7.0);
  std::vector<double> none;
  EXPECT_EQ(MedianInPlace(none), 0.0);
}

}  // namespace
}  // namespace huddle::core
