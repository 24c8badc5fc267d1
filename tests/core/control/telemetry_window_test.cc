#include "core/control/telemetry_window.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace huddle::core {
namespace {

TimePoint At(double seconds) { return TimePoint{} + FromSeconds(seconds); }

TEST(TelemetryWindowTest, FastAndSlowEwmaByHand) {
  TelemetryWindowOptions o;
  o.winsor_z = 0;  // plain EWMAs
  TelemetryWindow w(o);
  w.Add(100, At(0));
  w.Add(200, At(1));
  // fast = 0.3 * 200 + 0.7 * 100 = 130; slow = 0.1 * 200 + 0.9 * 100 = 110.
  EXPECT_DOUBLE_EQ(w.fast(), 130);
  EXPECT_DOUBLE_EQ(w.slow(), 110);
  // var = (1 - 0.1)(0 + 0.1 * 100^2) = 900.
  EXPECT_DOUBLE_EQ(w.variance(), 900);
  EXPECT_NEAR(w.TrendSignal(), 20.0 / 110.0, 1e-12);
}

TEST(TelemetryWindowTest, RejectsNonFiniteAndNegativeSamples) {
  TelemetryWindow w;
  EXPECT_FALSE(w.Add(std::numeric_limits<double>::quiet_NaN(), At(0)));
  EXPECT_FALSE(w.Add(-1, At(0)));
  EXPECT_FALSE(w.Add(std::numeric_limits<double>::infinity(), At(0)));
  EXPECT_TRUE(w.Add(5, At(0)));
  EXPECT_EQ(w.rejected(), 3u);
  EXPECT_EQ(w.accepted(), 1u);
  EXPECT_DOUBLE_EQ(w.slow(), 5);
}

TEST(TelemetryWindowTest, WinsorisesAWildSample) {
  TelemetryWindow w;
  for (int i = 0; i < 20; ++i) w.Add(i % 2 == 0 ? 90 : 110, At(i));
  const double slow = w.slow();
  // Bias-corrected sigma after 20 samples: sqrt(var / (1 - 0.9^19)).
  const double band = 3 * std::sqrt(w.variance() / (1 - std::pow(0.9, 19)));
  const uint64_t before = w.winsorised();
  w.Add(1e6, At(20));
  EXPECT_EQ(w.winsorised(), before + 1);
  // The stored sample is slow + 3 sigma, not 1e6.
  EXPECT_NEAR(w.last(), slow + band, 1e-9);
  EXPECT_LT(w.fast(), 200);
}

TEST(TelemetryWindowTest, ConfidenceFormula) {
  TelemetryWindow w;
  for (int i = 0; i < 30; ++i) w.Add(50, At(i));
  // CoV = 0 (constant), age 0: confidence = 1 - e^{-30/15} = 0.864665.
  EXPECT_NEAR(w.Confidence(At(29)), 1 - std::exp(-2.0), 1e-12);
  EXPECT_EQ(w.Quality(At(29)), SignalQuality::kGood);
  // 6 s later: times e^{-1} = 0.3181: degraded.
  EXPECT_NEAR(w.Confidence(At(35)), (1 - std::exp(-2.0)) * std::exp(-1.0), 1e-12);
  EXPECT_EQ(w.Quality(At(35)), SignalQuality::kDegraded);
  // 12 s later: 0.117: sparse.
  EXPECT_EQ(w.Quality(At(41)), SignalQuality::kSparse);
}

TEST(TelemetryWindowTest, SparseWithFewerThanThreeSamplesAndCovPenalises) {
  TelemetryWindow w;
  w.Add(10, At(0));
  w.Add(10, At(1));
  EXPECT_EQ(w.Quality(At(1)), SignalQuality::kSparse);
  TelemetryWindowOptions o;
  o.winsor_z = 0;
  TelemetryWindow noisy(o);
  for (int i = 0; i < 40; ++i) noisy.Add(i % 2 == 0 ? 50 : 150, At(i));
  // Raw window of 15: 8 x 150 and 7 x 50 (i = 25..39), mean 103.33, sample stddev 51.64,
  // CoV 0.4998; confidence = (1 - e^{-40/15}) e^{-0.5 * 0.4998} = 0.7273.
  EXPECT_NEAR(noisy.CoefficientOfVariation(), 0.49976, 1e-4);
  EXPECT_NEAR(noisy.Confidence(At(39)), (1 - std::exp(-40.0 / 15)) * std::exp(-0.5 * 0.49976),
              1e-4);
}

TEST(TelemetryWindowTest, ParseRejectsBadOptions) {
  EXPECT_TRUE(TelemetryWindowOptions::Parse({{"fast_alpha", "0.4"}}).has_value());
  EXPECT_FALSE(TelemetryWindowOptions::Parse({{"fast_alpha", "0.05"}}).has_value());
  EXPECT_FALSE(TelemetryWindowOptions::Parse({{"nope", "1"}}).has_value());
  auto o = TelemetryWindowOptions::Parse({{"staleness_tau", "10s"}, {"capacity", "30"}});
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->capacity, 30u);
  EXPECT_EQ(o->staleness_tau, FromSeconds(10));
}

}  // namespace
}  // namespace huddle::core
