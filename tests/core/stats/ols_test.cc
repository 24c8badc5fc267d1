#include "core/stats/ols.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace huddle::core {
namespace {

TEST(FitLineTest, ExactLineHasRSquaredOne) {
  const std::vector<double> x = {0.0, 1.0, 2.0, 3.0, 4.0};
  const std::vector<double> y = {3.0, 1.0, -1.0, -3.0, -5.0};  // y = 3 - 2x
  const LinearFit fit = FitLine(x, y);
  EXPECT_EQ(fit.n, 5u);
  EXPECT_NEAR(fit.slope, -2.0, 1e-12);
  EXPECT_NEAR(fit.intercept, 3.0, 1e-12);
  EXPECT_NEAR(fit.r_squared, 1.0, 1e-12);
  EXPECT_NEAR(fit.residual_stddev, 0.0, 1e-12);
  EXPECT_NEAR(fit.Predict(10.0), -17.0, 1e-12);
}

TEST(FitLineTest, KnownNoisySet) {
  // mean x = 3, mean y = 4; Sxx = 10, Sxy = 6, Syy = 6 -> slope 0.6, intercept 4 - 1.8 = 2.2,
  // SS_res = 6 - 0.6 * 6 = 2.4, R^2 = 1 - 2.4 / 6 = 0.6, residual sd = sqrt(2.4 / 3).
  const std::vector<double> x = {1.0, 2.0, 3.0, 4.0, 5.0};
  const std::vector<double> y = {2.0, 4.0, 5.0, 4.0, 5.0};
  const LinearFit fit = FitLine(x, y);
  EXPECT_NEAR(fit.slope, 0.6, 1e-12);
  EXPECT_NEAR(fit.intercept, 2.2, 1e-12);
  EXPECT_NEAR(fit.r_squared, 0.6, 1e-12);
  EXPECT_NEAR(fit.residual_stddev, std::sqrt(0.8), 1e-12);
}

TEST(FitLineTest, LargeOffsetsStayAccurate) {
  // The same set shifted by 1e9 in x and y: centred sums keep the fit.
  std::vector<double> x = {1.0, 2.0, 3.0, 4.0, 5.0};
  std::vector<double> y = {2.0, 4.0, 5.0, 4.0, 5.0};
  for (double& v : x) v += 1e9;
  for (double& v : y) v += 1e9;
  const LinearFit fit = FitLine(x, y);
  EXPECT_NEAR(fit.slope, 0.6, 1e-6);
  EXPECT_NEAR(fit.r_squared, 0.6, 1e-6);
}

TEST(FitLineTest, DegenerateInputs) {
  const LinearFit empty = FitLine({}, {});
  EXPECT_EQ(empty.n, 0u);
  EXPECT_DOUBLE_EQ(empty.slope, 0.0);

  const std::vector<double> same_x = {2.0, 2.0, 2.0};
  const std::vector<double> ys = {1.0, 2.0, 6.0};
  const LinearFit vertical = FitLine(same_x, ys);
  EXPECT_DOUBLE_EQ(vertical.slope, 0.0);
  EXPECT_DOUBLE_EQ(vertical.intercept, 3.0);  // mean of y
  EXPECT_DOUBLE_EQ(vertical.r_squared, 0.0);

  const std::vector<double> xs = {1.0, 2.0, 3.0};
  const std::vector<double> flat = {5.0, 5.0, 5.0};
  const LinearFit constant = FitLine(xs, flat);
  EXPECT_DOUBLE_EQ(constant.slope, 0.0);
  EXPECT_DOUBLE_EQ(constant.intercept, 5.0);
  EXPECT_DOUBLE_EQ(constant.r_squared, 1.0);
}

}  // namespace
}  // namespace huddle::core
