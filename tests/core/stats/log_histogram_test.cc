#include "core/stats/log_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "core/random.h"

namespace huddle::core {
namespace {

// Lognormal draws by Box-Muller from a fixed-seed Xoshiro256.
std::vector<double> LognormalDraws(size_t n, double mu, double sigma, uint64_t seed) {
  Xoshiro256 random(seed);
  std::vector<double> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const double u1 = 1.0 - random.UnitDouble();  // (0, 1]
    const double u2 = random.UnitDouble();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    out.push_back(std::exp(mu + sigma * z));
  }
  return out;
}

// The order statistic the histogram estimates: x_(floor(q (n - 1))), 0-based.
double LowerOrderStatistic(const std::vector<double>& sorted, double q) {
  return sorted[static_cast<size_t>(std::floor(q * static_cast<double>(sorted.size() - 1)))];
}

TEST(LogHistogramTest, MakeValidatesOptions) {
  EXPECT_TRUE(LogHistogram::Make({}).has_value());
  EXPECT_FALSE(LogHistogram::Make({.min_value = 0.0}).has_value());
  EXPECT_FALSE(LogHistogram::Make({.min_value = -1.0}).has_value());
  EXPECT_FALSE(LogHistogram::Make({.min_value = 10.0, .max_value = 10.0}).has_value());
  EXPECT_FALSE(LogHistogram::Make({.max_value = INFINITY}).has_value());
  EXPECT_FALSE(LogHistogram::Make({.relative_error = 0.0}).has_value());
  EXPECT_FALSE(LogHistogram::Make({.relative_error = 0.6}).has_value());
  EXPECT_FALSE(LogHistogram::Make({.relative_error = std::nan("")}).has_value());
  EXPECT_FALSE(LogHistogram::Make({.min_value = 1e-300, .max_value = 1e300, .relative_error = 1e-6})
                   .has_value());  // too many buckets
}

TEST(LogHistogramTest, DefaultLayout) {
  // 1 + ceil(ln(1e6 / 1e-3) / ln(1.01 / 0.99)) = 1 + ceil(20.723 / 0.0200007) = 1038 buckets.
  const LogHistogram histogram;
  EXPECT_EQ(histogram.num_buckets(), 1038u);
  EXPECT_EQ(histogram.BucketIndex(0.0), 0u);
  EXPECT_EQ(histogram.BucketIndex(1e-3), 0u);
  EXPECT_EQ(histogram.BucketIndex(1.0001e-3), 1u);
  EXPECT_EQ(histogram.BucketIndex(1e6), 1037u);
  EXPECT_EQ(histogram.BucketIndex(1e12), 1037u);
}

TEST(LogHistogramTest, EveryBucketValueIsWithinTheRelativeErrorOfItsValues) {
  // Sweep 200k values geometrically across the range; the reported value of each value's bucket
  // must be within e = 1 % (plus rounding) of the value.
  const LogHistogram histogram;
  const double e = histogram.options().relative_error;
  const int steps = 200'000;
  const double ratio = std::pow(1e6 / 1e-3, 1.0 / steps);
  double worst = 0.0;
  double v = 1e-3;
  for (int i = 0; i <= steps; ++i, v *= ratio) {
    const double reported = histogram.BucketValue(histogram.BucketIndex(v));
    worst = std::max(worst, std::fabs(reported - v) / v);
  }
  EXPECT_LE(worst, e * (1.0 + 1e-9));
  EXPECT_GE(worst, e * 0.99);  // the bound is tight: bucket edges sit at exactly e
}

TEST(LogHistogramTest, QuantilesOfLognormalDrawsAreWithinTheBound) {
  // 100k lognormal(mu = ln 20, sigma = 1) draws (median 20 ms, p99.9 about 440 ms), seed 7.
  // Expected: every estimate within relative error e = 1 % of the exact order statistic it
  // targets (tolerance e * (1 + 1e-9) for rounding at bucket edges).
  const std::vector<double> draws = LognormalDraws(100'000, std::log(20.0), 1.0, 7);
  LogHistogram histogram;
  for (double v : draws) histogram.Record(v);
  std::vector<double> sorted = draws;
  std::sort(sorted.begin(), sorted.end());
  const double e = histogram.options().relative_error;
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = LowerOrderStatistic(sorted, q);
    const double estimate = histogram.Quantile(q);
    EXPECT_LE(std::fabs(estimate - exact) / exact, e * (1.0 + 1e-9))
        << "q = " << q << " exact " << exact << " estimate " << estimate;
  }
  EXPECT_NEAR(LowerOrderStatistic(sorted, 0.5), 20.0, 0.5);  // sanity: the median is ~20
  EXPECT_DOUBLE_EQ(histogram.Quantile(0.0), sorted.front());
  EXPECT_DOUBLE_EQ(histogram.Quantile(1.0), sorted.back());
  EXPECT_EQ(histogram.Count(), 100'000u);
  EXPECT_DOUBLE_EQ(histogram.Min(), sorted.front());
  EXPECT_DOUBLE_EQ(histogram.Max(), sorted.back());
  double sum = 0.0;
  for (double v : draws) sum += v;
  EXPECT_DOUBLE_EQ(histogram.Mean(), sum / 100'000.0);
}

TEST(LogHistogramTest, TighterErrorIsHonouredToo) {
  // e = 0.1 % over nanoseconds (1 ns .. 100 s): same check, seed 11.
  const std::vector<double> draws = LognormalDraws(100'000, std::log(2e6), 1.5, 11);
  LogHistogram histogram({.min_value = 1.0, .max_value = 1e11, .relative_error = 0.001});
  for (double v : draws) histogram.Record(v);
  std::vector<double> sorted = draws;
  std::sort(sorted.begin(), sorted.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = LowerOrderStatistic(sorted, q);
    EXPECT_LE(std::fabs(histogram.Quantile(q) - exact) / exact, 0.001 * (1.0 + 1e-9))
        << "q = " << q;
  }
}

TEST(LogHistogramTest, EmptyHistogramReportsZeros) {
  const LogHistogram histogram;
  EXPECT_EQ(histogram.Count(), 0u);
  EXPECT_DOUBLE_EQ(histogram.Quantile(0.5), 0.0);
  EXPECT_DOUBLE_EQ(histogram.Mean(), 0.0);
  EXPECT_DOUBLE_EQ(histogram.Min(), 0.0);
  EXPECT_DOUBLE_EQ(histogram.Max(), 0.0);
}

TEST(LogHistogramTest, SmallSetsUseTheLowerOrderStatistic) {
  LogHistogram histogram;
  for (double v : {10.0, 20.0, 30.0, 40.0}) histogram.Record(v);
  // k = floor(q * 3): q = 0.5 -> x_(1) = 20; q = 0.7 -> x_(2) = 30; q = 0.99 -> x_(2) = 30.
  EXPECT_NEAR(histogram.Quantile(0.5), 20.0, 0.2);
  EXPECT_NEAR(histogram.Quantile(0.7), 30.0, 0.3);
  EXPECT_NEAR(histogram.Quantile(0.99), 30.0, 0.3);
  EXPECT_DOUBLE_EQ(histogram.Quantile(1.0), 40.0);
  EXPECT_DOUBLE_EQ(histogram.Quantile(2.0), 40.0);  // q clamped
  EXPECT_DOUBLE_EQ(histogram.Quantile(-1.0), 10.0);
  EXPECT_DOUBLE_EQ(histogram.Mean(), 25.0);
}

TEST(LogHistogramTest, OutOfRangeValuesClampIntoEndBuckets) {
  LogHistogram histogram({.min_value = 1.0, .max_value = 1000.0, .relative_error = 0.01});
  histogram.Record(0.0);
  histogram.Record(0.25);
  histogram.Record(-3.0);          // recorded as 0
  histogram.Record(std::nan(""));  // ignored
  EXPECT_EQ(histogram.Count(), 3u);
  EXPECT_EQ(histogram.BucketCount(0), 3u);
  EXPECT_DOUBLE_EQ(histogram.Min(), 0.0);
  EXPECT_DOUBLE_EQ(histogram.Sum(), 0.25);
  // Bucket 0 reports min_value, clamped to the exact [Min, Max] = [0, 0.25].
  EXPECT_DOUBLE_EQ(histogram.Quantile(0.5), 0.25);

  LogHistogram high({.min_value = 1.0, .max_value = 1000.0, .relative_error = 0.01});
  for (double v : {5.0, 1e6, 2e6}) high.Record(v);
  EXPECT_EQ(high.BucketCount(high.num_buckets() - 1), 2u);
  EXPECT_DOUBLE_EQ(high.Max(), 2e6);  // exact despite the clamp
  EXPECT_DOUBLE_EQ(high.Mean(), (5.0 + 1e6 + 2e6) / 3.0);
  // The median (1e6) is only known to be at the top of the range: about max_value.
  EXPECT_NEAR(high.Quantile(0.5), 1000.0, 1000.0 * 0.03);
  EXPECT_DOUBLE_EQ(high.Quantile(1.0), 2e6);
}

TEST(LogHistogramTest, RecordNCountsWeight) {
  LogHistogram histogram;
  histogram.RecordN(10.0, 99);
  histogram.RecordN(1000.0, 1);
  histogram.RecordN(5.0, 0);  // no-op
  EXPECT_EQ(histogram.Count(), 100u);
  EXPECT_DOUBLE_EQ(histogram.Mean(), (990.0 + 1000.0) / 100.0);
  EXPECT_NEAR(histogram.Quantile(0.98), 10.0, 0.1);  // k = floor(0.98 * 99) = 97
  EXPECT_DOUBLE_EQ(histogram.Quantile(1.0), 1000.0);
  EXPECT_DOUBLE_EQ(histogram.Min(), 10.0);
}

TEST(LogHistogramTest, MergeEqualsRecordingEverything) {
  const std::vector<double> draws = LognormalDraws(10'000, std::log(5.0), 0.8, 3);
  LogHistogram whole;
  LogHistogram first;
  LogHistogram second;
  for (size_t i = 0; i < draws.size(); ++i) {
    whole.Record(draws[i]);
    (i % 3 == 0 ? first : second).Record(draws[i]);
  }
  ASSERT_TRUE(first.Merge(second).has_value());
  EXPECT_EQ(first.Count(), whole.Count());
  EXPECT_NEAR(first.Sum(), whole.Sum(), 1e-9 * whole.Sum());
  EXPECT_DOUBLE_EQ(first.Min(), whole.Min());
  EXPECT_DOUBLE_EQ(first.Max(), whole.Max());
  for (size_t i = 0; i < whole.num_buckets(); ++i) {
    ASSERT_EQ(first.BucketCount(i), whole.BucketCount(i)) << "bucket " << i;
  }
  for (double q : {0.1, 0.5, 0.99}) EXPECT_DOUBLE_EQ(first.Quantile(q), whole.Quantile(q));

  LogHistogram empty;
  ASSERT_TRUE(empty.Merge(second).has_value());  // merging into an empty one takes min/max
  EXPECT_DOUBLE_EQ(empty.Min(), second.Min());
  EXPECT_DOUBLE_EQ(empty.Max(), second.Max());
}

TEST(LogHistogramTest, MergeRejectsAnotherLayoutAndChangesNothing) {
  LogHistogram a;
  a.Record(3.0);
  LogHistogram b({.min_value = 1.0, .max_value = 100.0, .relative_error = 0.02});
  b.Record(50.0);
  EXPECT_FALSE(a.Merge(b).has_value());
  EXPECT_EQ(a.Count(), 1u);
  EXPECT_DOUBLE_EQ(a.Max(), 3.0);
}

TEST(LogHistogramTest, ResetEmptiesAndStaysUsable) {
  LogHistogram histogram;
  for (double v : {1.0, 2.0, 3.0}) histogram.Record(v);
  histogram.Reset();
  EXPECT_EQ(histogram.Count(), 0u);
  EXPECT_DOUBLE_EQ(histogram.Quantile(0.5), 0.0);
  EXPECT_DOUBLE_EQ(histogram.Sum(), 0.0);
  for (size_t i = 0; i < histogram.num_buckets(); ++i) ASSERT_EQ(histogram.BucketCount(i), 0u);
  histogram.Record(7.0);
  EXPECT_DOUBLE_EQ(histogram.Min(), 7.0);
  EXPECT_DOUBLE_EQ(histogram.Quantile(0.5), 7.0);
}

}  // namespace
}  // namespace huddle::core
