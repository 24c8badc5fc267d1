#include "core/stats/summary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace huddle::core {
namespace {

TEST(SummarizeTest, MeanStddevAndStudentInterval) {
  // {1..5}: mean 3, sample variance 10 / 4 = 2.5, half width t_{0.975,4} sqrt(2.5 / 5)
  // = 2.7764451051977944 * 0.7071067811865476 = 1.9632431614775577 (mpmath).
  const std::vector<double> values = {1.0, 2.0, 3.0, 4.0, 5.0};
  auto summary = Summarize(values);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->n, 5u);
  EXPECT_DOUBLE_EQ(summary->mean, 3.0);
  EXPECT_NEAR(summary->stddev, std::sqrt(2.5), 1e-14);
  EXPECT_NEAR(summary->ci_half_width, 1.9632431614775577, 1e-9);
  EXPECT_NEAR(summary->ci_low(), 3.0 - 1.9632431614775577, 1e-9);
  EXPECT_NEAR(summary->ci_high(), 3.0 + 1.9632431614775577, 1e-9);
}

TEST(SummarizeTest, OtherConfidenceLevels) {
  // 99 %, df = 4: t_{0.995,4} = 4.604094871349993 (tables: 4.604).
  const std::vector<double> values = {1.0, 2.0, 3.0, 4.0, 5.0};
  auto summary = Summarize(values, 0.99);
  ASSERT_TRUE(summary.has_value());
  EXPECT_NEAR(summary->ci_half_width, 4.604094871349993 * std::sqrt(0.5), 1e-8);
  EXPECT_FALSE(Summarize(values, 1.0).has_value());
  EXPECT_FALSE(Summarize(values, 0.0).has_value());
}

TEST(SummarizeTest, DegenerateInputs) {
  EXPECT_FALSE(Summarize({}).has_value());
  const std::vector<double> bad = {1.0, NAN};
  EXPECT_FALSE(Summarize(bad).has_value());
  const std::vector<double> one = {4.0};
  auto single = Summarize(one);
  ASSERT_TRUE(single.has_value());
  EXPECT_DOUBLE_EQ(single->mean, 4.0);
  EXPECT_DOUBLE_EQ(single->stddev, 0.0);
  EXPECT_TRUE(std::isinf(single->ci_half_width));
  const std::vector<double> same = {2.0, 2.0, 2.0};
  auto constant = Summarize(same);
  ASSERT_TRUE(constant.has_value());
  EXPECT_DOUBLE_EQ(constant->ci_half_width, 0.0);
}

TEST(WelchTTestTest, WikipediaExampleOne) {
  // Welch's t-test article, example 1 (equal n, similar variances): t = -2.46, df = 24.9,
  // p = 0.021; exact values from mpmath: -2.4553563982860051, 24.988529290231414,
  // 0.021378001462867032.
  const std::vector<double> a = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
                                 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
  const std::vector<double> b = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
                                 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};
  auto result = WelchTTest(a, b);
  ASSERT_TRUE(result.has_value());
  EXPECT_NEAR(result->t, -2.4553563982860051, 1e-12);
  EXPECT_NEAR(result->df, 24.988529290231414, 1e-10);
  EXPECT_NEAR(result->p_value, 0.021378001462867032, 1e-12);
  EXPECT_NEAR(result->mean_difference, 20.82 - 22.986666666666667,
              1e-12);  // 312.3 / 15 - 344.8 / 15
}

TEST(WelchTTestTest, WikipediaExampleTwoUnequalSizes) {
  // Example 2 (n = 10 vs 20, unequal variances): t = -1.57, df = 9.9, p = 0.149; mpmath:
  // -1.5654335235985052, 9.9047412486508289, 0.14884169660532799.
  const std::vector<double> a = {17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8};
  const std::vector<double> b = {21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8,
                                 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8};
  auto result = WelchTTest(a, b);
  ASSERT_TRUE(result.has_value());
  EXPECT_NEAR(result->t, -1.5654335235985052, 1e-12);
  EXPECT_NEAR(result->df, 9.9047412486508289, 1e-10);
  EXPECT_NEAR(result->p_value, 0.14884169660532799, 1e-12);

  auto swapped = WelchTTest(b, a);
  ASSERT_TRUE(swapped.has_value());
  EXPECT_NEAR(swapped->t, 1.5654335235985052, 1e-12);
  EXPECT_NEAR(swapped->p_value, result->p_value, 1e-15);
}

TEST(WelchTTestTest, SmallIntegerSamples) {
  // {1..5} vs {2, 4, .., 14}: va / na = 2.5 / 5 = 0.5, vb / nb = 18.667 / 7 = 2.667; mpmath:
  // t = -2.8097574347450819, df = 8.0371057513914657, p = 0.022747255279670925.
  const std::vector<double> a = {1, 2, 3, 4, 5};
  const std::vector<double> b = {2, 4, 6, 8, 10, 12, 14};
  auto result = WelchTTest(a, b);
  ASSERT_TRUE(result.has_value());
  EXPECT_NEAR(result->t, -2.8097574347450819, 1e-12);
  EXPECT_NEAR(result->df, 8.0371057513914657, 1e-10);
  EXPECT_NEAR(result->p_value, 0.022747255279670925, 1e-12);
}

TEST(WelchTTestTest, ZeroVarianceAndTooFewValues) {
  const std::vector<double> three = {3.0, 3.0, 3.0};
  const std::vector<double> also_three = {3.0, 3.0};
  const std::vector<double> four = {4.0, 4.0};
  auto equal = WelchTTest(three, also_three);
  ASSERT_TRUE(equal.has_value());
  EXPECT_DOUBLE_EQ(equal->p_value, 1.0);
  EXPECT_DOUBLE_EQ(equal->df, 3.0);
  auto different = WelchTTest(three, four);
  ASSERT_TRUE(different.has_value());
  EXPECT_DOUBLE_EQ(different->p_value, 0.0);
  EXPECT_EQ(different->t, -INFINITY);

  const std::vector<double> one = {1.0};
  EXPECT_FALSE(WelchTTest(one, three).has_value());
  EXPECT_FALSE(WelchTTest(three, {}).has_value());
}

TEST(QuantileOfSortedTest, LinearInterpolationType7) {
  // numpy.quantile([1, 2, 3, 4], q): 0.25 -> 1.75, 0.5 -> 2.5, 0.9 -> 3.7.
  const std::vector<double> sorted = {1.0, 2.0, 3.0, 4.0};
  EXPECT_DOUBLE_EQ(QuantileOfSorted(sorted, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(QuantileOfSorted(sorted, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(QuantileOfSorted(sorted, 0.5), 2.5);
  EXPECT_NEAR(QuantileOfSorted(sorted, 0.9), 3.7, 1e-14);
  EXPECT_DOUBLE_EQ(QuantileOfSorted(sorted, 1.0), 4.0);
  EXPECT_DOUBLE_EQ(QuantileOfSorted(sorted, 7.0), 4.0);  // clamped
  const std::vector<double> single = {9.0};
  EXPECT_DOUBLE_EQ(QuantileOfSorted(single, 0.3), 9.0);
  EXPECT_DOUBLE_EQ(QuantileOfSorted({}, 0.5), 0.0);
}

TEST(ExactQuantilesTest, SortsACopyAndDropsNan) {
  // 1..1000 shuffled by a stride: p50 = 500.5, p99 = 990.01, p99.9 = 999.001 (type 7).
  std::vector<double> values;
  for (int i = 0; i < 1000; ++i) values.push_back(static_cast<double>((i * 7919) % 1000 + 1));
  values.push_back(NAN);
  const std::vector<double> qs = {0.5, 0.99, 0.999};
  const std::vector<double> out = ExactQuantiles(values, qs);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_NEAR(out[0], 500.5, 1e-9);
  EXPECT_NEAR(out[1], 990.01, 1e-9);
  EXPECT_NEAR(out[2], 999.001, 1e-9);
  EXPECT_TRUE(std::isnan(values.back()));  // input untouched
}

}  // namespace
}  // namespace huddle::core
