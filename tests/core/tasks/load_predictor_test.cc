#include "core/tasks/load_predictor.h"

#include <gtest/gtest.h>

namespace huddle::core {
namespace {

TimePoint At(double s) { return TimePoint{} + FromSeconds(s); }

TEST(LoadPredictorTest, NoPredictionBelowThreeSamples) {
  LoadPredictor p;
  p.Observe(1, At(0), 0.5);
  p.Observe(1, At(30), 0.5);
  EXPECT_FALSE(p.Predict(1, At(30)).has_value());
  EXPECT_FALSE(p.Predict(2, At(30)).has_value());
  p.Observe(1, At(60), 0.5);
  EXPECT_TRUE(p.Predict(1, At(60)).has_value());
}

TEST(LoadPredictorTest, ExactLineProjectsThreeMinutesAheadWithFullConfidence) {
  LoadPredictor p;
  for (int i = 0; i < 10; ++i) p.Observe(7, At(30 * i), 0.2 + 0.001 * 30 * i);
  const auto pred = p.Predict(7, At(270));
  ASSERT_TRUE(pred.has_value());
  // 0.2 + 0.001 * (270 + 180) = 0.65; R^2 = 1 and n = 10 give confidence 1.
  EXPECT_NEAR(pred->predicted, 0.65, 1e-9);
  EXPECT_NEAR(pred->confidence, 1.0, 1e-9);
  EXPECT_EQ(pred->samples, 10u);
  // Mean of the last five samples (t = 150..270): 0.2 + 0.21.
  EXPECT_NEAR(pred->current, 0.41, 1e-9);
}

TEST(LoadPredictorTest, ConfidenceScalesWithSampleCountAndFit) {
  LoadPredictor p;
  for (int i = 0; i < 5; ++i) p.Observe(1, At(30 * i), 0.1 * i);
  EXPECT_NEAR(p.Predict(1, At(120))->confidence, 0.5, 1e-9);  // R^2 = 1, n / 10 = 0.5
  // Alternating noise around a flat mean: R^2 = slope-explained share only, well below 1.
  for (int i = 0; i < 10; ++i) p.Observe(2, At(30 * i), i % 2 == 0 ? 0.3 : 0.7);
  const auto noisy = p.Predict(2, At(270));
  EXPECT_LT(noisy->confidence, 0.2);
}

TEST(LoadPredictorTest, PredictionIsClampedToUnitInterval) {
  LoadPredictor p;
  for (int i = 0; i < 5; ++i) p.Observe(1, At(30 * i), 0.5 + 0.1 * i);
  EXPECT_DOUBLE_EQ(p.Predict(1, At(120))->predicted, 1.0);
  for (int i = 0; i < 5; ++i) p.Observe(2, At(30 * i), 0.5 - 0.1 * i);
  EXPECT_DOUBLE_EQ(p.Predict(2, At(120))->predicted, 0.0);
}

TEST(LoadPredictorTest, OldSamplesLeaveTheWindow) {
  LoadPredictor p;
  p.Observe(1, At(0), 1.0);
  p.Observe(1, At(10), 1.0);
  for (int i = 0; i < 3; ++i) p.Observe(1, At(700 + 10 * i), 0.2);
  const auto pred = p.Predict(1, At(720));
  EXPECT_EQ(pred->samples, 3u);
  EXPECT_NEAR(pred->predicted, 0.2, 1e-12);
}

TEST(LoadPredictorTest, AccuracyIsOneMinusTwiceMeanAbsoluteError) {
  LoadPredictor p;
  EXPECT_FALSE(p.TakeAccuracy().has_value());
  p.Remember(1, At(100), 0.6);
  p.Remember(2, At(100), 0.3);
  p.Observe(1, At(99), 0.9);  // not due yet
  EXPECT_FALSE(p.TakeAccuracy().has_value());
  p.Observe(1, At(100), 0.5);  // error 0.1
  p.Observe(2, At(130), 0.6);  // error 0.3
  // MAE 0.2 -> accuracy 0.6.
  EXPECT_NEAR(*p.TakeAccuracy(), 0.6, 1e-12);
  EXPECT_FALSE(p.TakeAccuracy().has_value());  // the window was reset
  EXPECT_NEAR(p.lifetime_mean_absolute_error(), 0.2, 1e-12);
  EXPECT_EQ(p.resolved_predictions(), 2u);
}

}  // namespace
}  // namespace huddle::core
