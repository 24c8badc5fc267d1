#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/control/cusum_detector.h"
#include "core/control/damped_holt.h"
#include "core/control/ewma_crossover.h"
#include "core/control/forecast_scorer.h"
#include "core/control/forecaster_selector.h"
#include "core/control/windowed_ols.h"

namespace huddle::core {
namespace {

TEST(DampedHoltTest, RecursionByHand) {
  DampedHolt holt({.alpha = 0.5, .beta = 0.1, .phi = 0.9});
  holt.Add(10);  // l = 10, b = 0
  holt.Add(12);  // b = 2, l = 12
  holt.Add(14);
  // l = 0.5 * 14 + 0.5 * (12 + 0.9 * 2) = 13.9; b = 0.1 * 1.9 + 0.9 * 0.9 * 2 = 1.81.
  EXPECT_NEAR(holt.level(), 13.9, 1e-12);
  EXPECT_NEAR(holt.trend(), 1.81, 1e-12);
  // y(+2) = 13.9 + (0.9 + 0.81) * 1.81 = 16.9951.
  EXPECT_NEAR(holt.Forecast(2), 16.9951, 1e-12);
  // Damped: the long-run forecast converges to l + phi / (1 - phi) b = 13.9 + 9 * 1.81.
  EXPECT_NEAR(holt.Forecast(1000), 13.9 + 9 * 1.81, 1e-9);
}

TEST(DampedHoltTest, UndampedIsExactOnALine) {
  DampedHolt holt({.alpha = 0.5, .beta = 0.1, .phi = 1.0});
  for (int t = 0; t < 20; ++t) holt.Add(1 + 2.0 * t);
  EXPECT_NEAR(holt.Forecast(5), 1 + 2.0 * 24, 1e-9);
}

TEST(WindowedOlsTest, ExactLineAndTimeToThreshold) {
  WindowedOls ols(8);
  for (int x = 0; x <= 3; ++x) ols.Add(x, 2.0 * x + 1);
  EXPECT_NEAR(ols.fit().slope, 2.0, 1e-12);
  const Prediction p = ols.PredictAt(5);
  EXPECT_NEAR(p.value, 11.0, 1e-12);
  EXPECT_NEAR(p.high - p.low, 0.0, 1e-12);       // no residual, no band
  EXPECT_NEAR(ols.TimeToReach(21), 7.0, 1e-12);  // (21 - 7) / 2 from x = 3
  EXPECT_EQ(ols.TimeToReach(5), 0.0);
}

TEST(WindowedOlsTest, PredictionBandByHand) {
  WindowedOls ols(4);
  ols.Add(100, 999);  // pushed out by the window of 4
  const double ys[] = {0, 1, 0, 1};
  for (int x = 0; x < 4; ++x) ols.Add(x, ys[x]);
  // xbar = 1.5, Sxx = 5, Sxy = 1: slope 0.2; SSres = 1 - 0.2 = 0.8, s = sqrt(0.4).
  // At x0 = 4: y = 0.5 + 0.2 * 2.5 = 1.0; half = 1.96 s sqrt(1 + 1/4 + 6.25/5) = 1.96.
  EXPECT_NEAR(ols.fit().slope, 0.2, 1e-12);
  const Prediction p = ols.PredictAt(4);
  EXPECT_NEAR(p.value, 1.0, 1e-12);
  EXPECT_NEAR(p.low, -0.96, 1e-9);
  EXPECT_NEAR(p.high, 2.96, 1e-9);
}

TEST(WindowedOlsTest, ShrunkTrendByHand) {
  // y = 0, 2, 1, 3 at x = 1..4: slope 0.8, fitted 2.7 at x = 4, SSres 1.8, s = sqrt(0.9),
  // Sxx = 5, se(b) = s / sqrt(5) = 0.42426.
  WindowedOls ols(4);
  for (double x : {1.0, 2.0, 3.0, 4.0}) ols.Add(x, std::vector<double>{0, 2, 1, 3}[x - 1]);
  const double se = std::sqrt(0.9) / std::sqrt(5.0);
  EXPECT_NEAR(ols.ShrunkTrendAt(6, 0), 2.7 + 2 * 0.8, 1e-9);
  EXPECT_NEAR(ols.ShrunkTrendAt(6, 1), 2.7 + 2 * (0.8 - se), 1e-9);
  EXPECT_NEAR(ols.ShrunkTrendAt(6, 2), 2.7, 1e-9);  // 0.8 < 2 se: extrapolated as a level
  // An exact line has se = 0: nothing is taken off.
  WindowedOls line(8);
  for (int x = 0; x < 8; ++x) line.Add(x, 5.0 - 2.0 * x);
  EXPECT_NEAR(line.ShrunkTrendAt(10, 3), 5.0 - 20.0, 1e-9);
}

TEST(ForecasterSelectorTest, TrendTOnceTheWindowIsFull) {
  // The same four points as above: t = 0.8 / se(b) = 0.8 / 0.42426 = 1.8856.
  ForecasterSelectorOptions o;
  o.ols_window = 4;
  ForecasterSelector f(o);
  f.Add(0);
  f.Add(2);
  f.Add(1);
  EXPECT_EQ(f.TrendT(), 0.0);  // three of four points
  f.Add(3);
  EXPECT_NEAR(f.TrendT(), 0.8 / (std::sqrt(0.9) / std::sqrt(5.0)), 1e-9);
}

TEST(EwmaCrossoverTest, ReportsEachTurnOnceWithHysteresis) {
  EwmaCrossover x({.fast_alpha = 0.5, .slow_alpha = 0.1, .threshold = 0.05});
  EXPECT_EQ(x.Add(100), Crossover::kNone);  // both 100, signal 0
  // 120: fast 110, slow 102: signal 0.0784 > 0.05.
  EXPECT_EQ(x.Add(120), Crossover::kUp);
  EXPECT_NEAR(x.signal(), 8.0 / 102.0, 1e-12);
  EXPECT_EQ(x.Add(120), Crossover::kNone);  // still rising: no new report
  int downs = 0;
  for (int i = 0; i < 20; ++i) downs += x.Add(60) == Crossover::kDown ? 1 : 0;
  EXPECT_EQ(downs, 1);
  EXPECT_EQ(x.state(), -1);
}

TEST(CusumDetectorTest, DetectsAShiftAfterTheExpectedSamples) {
  CusumDetector cusum;  // k = 0.5, h = 5
  for (int i = 0; i < 50; ++i) ASSERT_EQ(cusum.Add(i % 2 ? 10.5 : 9.5, 10, 1), Change::kNone);
  // A 2-sigma shift adds z - k = 1.5 per sample: 1.5, 3.0, 4.5, 6.0 > 5 at the 4th sample.
  EXPECT_EQ(cusum.Add(12, 10, 1), Change::kNone);
  EXPECT_EQ(cusum.Add(12, 10, 1), Change::kNone);
  EXPECT_EQ(cusum.Add(12, 10, 1), Change::kNone);
  EXPECT_NEAR(cusum.upper(), 4.5, 1e-12);
  EXPECT_EQ(cusum.Add(12, 10, 1), Change::kUp);
  EXPECT_EQ(cusum.upper(), 0.0);                                              // reset after firing
  for (int i = 0; i < 2; ++i) EXPECT_EQ(cusum.Add(7, 10, 1), Change::kNone);  // 2.5, 5.0
  EXPECT_EQ(cusum.Add(7, 10, 1), Change::kDown);                              // 7.5
}

TEST(ForecastScorerTest, NaiveForecastHasMaseOneAndKnownMape) {
  ForecastScorer scorer(/*horizon_steps=*/1, /*window=*/10);
  scorer.Add(10, 10);
  scorer.Add(12, 12);  // error |12 - 10| = 2, 2/12
  scorer.Add(15, 15);  // error 3, 3/15
  EXPECT_EQ(scorer.scored(), 2u);
  EXPECT_DOUBLE_EQ(scorer.Mae(), 2.5);
  EXPECT_NEAR(scorer.Mape(), 100 * (2.0 / 12 + 0.2) / 2, 1e-12);
  EXPECT_DOUBLE_EQ(scorer.Mase(), 1.0);
}

TEST(ForecastScorerTest, ScoresAtTheHorizon) {
  ForecastScorer scorer(/*horizon_steps=*/3, /*window=*/100);
  // y_t = t; a forecast of y + 3 is exact three steps ahead; the naive error is 3.
  for (int t = 1; t <= 10; ++t) scorer.Add(t, t + 3.0);
  EXPECT_EQ(scorer.scored(), 7u);
  EXPECT_DOUBLE_EQ(scorer.Mae(), 0.0);
  EXPECT_DOUBLE_EQ(scorer.Mase(), 0.0);
  ForecastScorer wrong(3, 100);
  for (int t = 1; t <= 10; ++t) wrong.Add(t, t + 6.0);  // 3 too high every time
  EXPECT_DOUBLE_EQ(wrong.Mase(), 1.0);
}

TEST(ForecasterSelectorTest, PicksATrendModelOnARamp) {
  ForecasterSelector selector;  // h = 15
  for (int t = 0; t < 100; ++t) selector.Add(100 + 2.0 * t);
  // OLS fits the ramp exactly: MASE 0; naive is 30 behind: MASE 1.
  EXPECT_EQ(selector.chosen(), ForecasterKind::kOls);
  EXPECT_NEAR(selector.Mase(), 0.0, 1e-9);
  EXPECT_DOUBLE_EQ(selector.scorer(ForecasterKind::kNaive).Mase(), 1.0);
  EXPECT_NEAR(selector.Forecast(15), 100 + 2.0 * 99 + 30, 1e-6);
}

TEST(ForecasterSelectorTest, PicksALevelModelOnNoiseAroundAConstant) {
  ForecasterSelector selector;
  for (int t = 0; t < 200; ++t) selector.Add(t % 2 ? 110 : 90);
  // h = 15 is odd, so naive is always 20 off; a level model is about 10 off.
  EXPECT_NE(selector.chosen(), ForecasterKind::kNaive);
  EXPECT_NE(selector.chosen(), ForecasterKind::kDampedHolt);
  EXPECT_LT(selector.Mase(), 0.6);
  EXPECT_NEAR(selector.Forecast(15), 100, 3);
}

TEST(ForecasterSelectorTest, IgnoresDroppedPoints) {
  ForecasterSelector selector;
  selector.Add(5);
  selector.Add(std::nan(""));
  EXPECT_EQ(selector.steps(), 1u);
  EXPECT_TRUE(ForecasterSelectorOptions::Parse({{"horizon_steps", "30"}}).has_value());
  EXPECT_FALSE(ForecasterSelectorOptions::Parse({{"horizon_steps", "0"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
