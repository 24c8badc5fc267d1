#include "core/stats/gini.h"

#include <gtest/gtest.h>

#include <vector>

namespace huddle::core {
namespace {

TEST(GiniTest, EmptyAndAllZeroAreZero) {
  EXPECT_DOUBLE_EQ(Gini({}), 0.0);
  const std::vector<double> zeros = {0.0, 0.0, 0.0};
  EXPECT_DOUBLE_EQ(Gini(zeros), 0.0);
}

TEST(GiniTest, EqualSharesAreZero) {
  const std::vector<double> equal = {3.0, 3.0, 3.0, 3.0};
  EXPECT_NEAR(Gini(equal), 0.0, 1e-15);
  const std::vector<double> single = {42.0};
  EXPECT_NEAR(Gini(single), 0.0, 1e-15);
}

TEST(GiniTest, OneHolderOfNIsNMinusOneOverN) {
  for (size_t n : {2u, 3u, 5u, 10u, 100u}) {
    std::vector<double> values(n, 0.0);
    values[n / 2] = 7.0;
    EXPECT_NEAR(Gini(values), (n - 1.0) / static_cast<double>(n), 1e-12) << "n = " << n;
  }
}

TEST(GiniTest, OneTwoThreeFourIsAQuarter) {
  // sum_i sum_j |x_i - x_j| = 2 * (1 + 2 + 3 + 1 + 2 + 1) = 20; 20 / (2 * 4^2 * 2.5) = 0.25.
  const std::vector<double> values = {1.0, 2.0, 3.0, 4.0};
  EXPECT_NEAR(Gini(values), 0.25, 1e-15);
  const std::vector<double> shuffled = {4.0, 1.0, 3.0, 2.0};
  EXPECT_NEAR(Gini(shuffled), 0.25, 1e-15);
}

TEST(GiniTest, ScaleInvariant) {
  const std::vector<double> values = {10.0, 20.0, 30.0, 40.0};
  EXPECT_NEAR(Gini(values), 0.25, 1e-15);
}

}  // namespace
}  // namespace huddle::core
