#include "core/stats/ewma.h"

#include <gtest/gtest.h>

#include <cmath>

namespace huddle::core {
namespace {

TimePoint At(double seconds) { return TimePoint{} + FromSeconds(seconds); }

TEST(EwmaTest, FirstSampleSetsValueThenBlendsWithAlpha) {
  Ewma ewma(0.5);
  EXPECT_FALSE(ewma.has_value());
  ewma.Add(10.0);
  EXPECT_TRUE(ewma.has_value());
  EXPECT_DOUBLE_EQ(ewma.value(), 10.0);
  ewma.Add(20.0);  // 0.5 * 20 + 0.5 * 10
  EXPECT_DOUBLE_EQ(ewma.value(), 15.0);
  ewma.Add(0.0);  // 0.5 * 0 + 0.5 * 15
  EXPECT_DOUBLE_EQ(ewma.value(), 7.5);
}

TEST(EwmaTest, SmallAlphaMovesSlowly) {
  Ewma ewma(0.1);
  ewma.Add(100.0);
  ewma.Add(0.0);  // 0.9 * 100
  EXPECT_DOUBLE_EQ(ewma.value(), 90.0);
  ewma.Add(0.0);  // 0.9 * 90
  EXPECT_DOUBLE_EQ(ewma.value(), 81.0);
}

TEST(EwmaTest, ResetSeedsAPrior) {
  Ewma ewma(0.25);
  ewma.Reset(8.0);
  EXPECT_TRUE(ewma.has_value());
  ewma.Add(0.0);  // 0.75 * 8
  EXPECT_DOUBLE_EQ(ewma.value(), 6.0);
}

TEST(EwmaTest, MakeValidatesAlpha) {
  EXPECT_FALSE(Ewma::Make(0.0).has_value());
  EXPECT_FALSE(Ewma::Make(-0.1).has_value());
  EXPECT_FALSE(Ewma::Make(1.5).has_value());
  EXPECT_FALSE(Ewma::Make(std::nan("")).has_value());
  auto one = Ewma::Make(1.0);
  ASSERT_TRUE(one.has_value());
  one->Add(3.0);
  one->Add(7.0);  // alpha 1 keeps only the latest sample
  EXPECT_DOUBLE_EQ(one->value(), 7.0);
}

TEST(EwmaTest, HalfLifeAlphaHalvesAnOldValueAfterHSamples) {
  // alpha = 1 - 2^(-1/h); after h samples of 0 the prior keeps (1 - alpha)^h = 1/2 of its value.
  EXPECT_DOUBLE_EQ(Ewma::AlphaFromHalfLife(1.0), 0.5);
  for (double h : {1.0, 2.0, 5.0, 12.5, 100.0}) {
    Ewma ewma(Ewma::AlphaFromHalfLife(h));
    ewma.Reset(100.0);
    const int whole = static_cast<int>(h);
    for (int i = 0; i < whole; ++i) ewma.Add(0.0);
    // For fractional h, compare with the exact decay after floor(h) samples: 100 * 2^(-floor/h).
    EXPECT_NEAR(ewma.value(), 100.0 * std::exp2(-whole / h), 1e-9) << "h = " << h;
  }
  Ewma five(Ewma::AlphaFromHalfLife(5.0));
  five.Reset(100.0);
  for (int i = 0; i < 5; ++i) five.Add(0.0);
  EXPECT_NEAR(five.value(), 50.0, 1e-9);
  for (int i = 0; i < 5; ++i) five.Add(0.0);
  EXPECT_NEAR(five.value(), 25.0, 1e-9);
}

TEST(EwmaTest, AkkaIntervalHalfLifeForm) {
  // Akka's defaults: collect-interval 3 s, moving-average-half-life 12 s, so
  // alpha = 1 - exp(ln(1/2) * 3 / 12) = 1 - 2^(-1/4) = 0.1591035847462855: a half-life of four
  // samples.
  const double alpha = Ewma::AlphaFromHalfLife(FromSeconds(3), FromSeconds(12));
  EXPECT_NEAR(alpha, 0.1591035847462855, 1e-15);
  EXPECT_NEAR(alpha, Ewma::AlphaFromHalfLife(4.0), 1e-15);
  // Interval equal to the half-life: each sample halves the old weight.
  EXPECT_NEAR(Ewma::AlphaFromHalfLife(FromMillis(250), FromMillis(250)), 0.5, 1e-15);
}

TEST(DecayingEwmaTest, WeightIsExpMinusElapsedOverTau) {
  DecayingEwma ewma(FromSeconds(1.0));
  EXPECT_FALSE(ewma.has_value());
  ewma.Add(10.0, At(0.0));
  EXPECT_DOUBLE_EQ(ewma.value(), 10.0);
  // dt = 1 s: w = e^-1 = 0.36787944117144233; 10 w + 20 (1 - w) = 16.321205588285576.
  ewma.Add(20.0, At(1.0));
  EXPECT_NEAR(ewma.value(), 16.321205588285576, 1e-12);
  // dt = 2 s: w = e^-2 = 0.1353352832366127; 16.3212... * w + 0 = 2.2088349810536143.
  ewma.Add(0.0, At(3.0));
  EXPECT_NEAR(ewma.value(), 2.2088349810536143, 1e-12);
  EXPECT_EQ(ewma.last_update(), At(3.0));
}

TEST(DecayingEwmaTest, SampleAtTheSameInstantOrEarlierHasNoWeight) {
  // dt <= 0 gives w = 1: this form weighs samples by the time they cover, so a sample that
  // covers no time does not move the value.
  DecayingEwma ewma(FromSeconds(1.0));
  ewma.Add(10.0, At(5.0));
  ewma.Add(1000.0, At(5.0));
  EXPECT_DOUBLE_EQ(ewma.value(), 10.0);
  ewma.Add(1000.0, At(4.0));
  EXPECT_DOUBLE_EQ(ewma.value(), 10.0);
}

TEST(DecayingEwmaTest, DecayedTowardDoesNotChangeState) {
  DecayingEwma ewma(FromSeconds(2.0));
  EXPECT_DOUBLE_EQ(ewma.DecayedToward(7.0, At(0.0)), 7.0);  // empty: the target
  ewma.Add(10.0, At(0.0));
  // dt = 2 s, tau = 2 s: w = e^-1; 10 w + 0 (1 - w) = 3.6787944117144233.
  EXPECT_NEAR(ewma.DecayedToward(0.0, At(2.0)), 3.6787944117144233, 1e-12);
  EXPECT_DOUBLE_EQ(ewma.value(), 10.0);
  EXPECT_EQ(ewma.last_update(), At(0.0));
}

TEST(DecayingEwmaTest, TauFromHalfLifeHalvesTheWeightAfterOneHalfLife) {
  // tau = half_life / ln 2 = 1.4426950408889634 s for a 1 s half-life.
  const Duration tau = DecayingEwma::TauFromHalfLife(FromSeconds(1.0));
  EXPECT_NEAR(ToSeconds(tau), 1.4426950408889634, 1e-9);
  DecayingEwma ewma(tau);
  ewma.Add(100.0, At(0.0));
  ewma.Add(0.0, At(1.0));
  EXPECT_NEAR(ewma.value(), 50.0, 1e-6);
  ewma.Add(0.0, At(3.0));  // two more half-lives
  EXPECT_NEAR(ewma.value(), 12.5, 1e-6);
}

TEST(DecayingEwmaTest, NonPositiveTauFollowsTheLatestSample) {
  DecayingEwma ewma(Duration::zero());
  ewma.Add(10.0, At(0.0));
  ewma.Add(20.0, At(0.0));
  EXPECT_DOUBLE_EQ(ewma.value(), 20.0);
  ewma.Add(30.0, At(1.0));
  EXPECT_DOUBLE_EQ(ewma.value(), 30.0);
}

}  // namespace
}  // namespace huddle::core
