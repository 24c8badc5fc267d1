#include "engine/offered_load.h"

#include <gtest/gtest.h>

#include <cmath>

namespace huddle::engine {
namespace {

TEST(OfferedLoadTest, FirstSampleIsThePrediction) {
  OfferedLoad load;
  EXPECT_TRUE(load.empty());
  load.Add(500, 0, 1.0);
  EXPECT_FALSE(load.empty());
  EXPECT_DOUBLE_EQ(load.Predict(), 500.0);
  load.Add(std::nan(""), 0, 1.0);  // ignored
  EXPECT_DOUBLE_EQ(load.Predict(), 500.0);
}

TEST(OfferedLoadTest, ShedRequestsComeBackWithinTheRetryBudget) {
  OfferedLoad load;
  load.Add(1000, 0, 1.0);
  // 50 shed: 50 retries expected next tick on top of 1 000 first attempts.
  load.Add(1000, 50, 1.0);
  EXPECT_NEAR(load.Echo(), 50.0, 1e-9);
  EXPECT_NEAR(load.Predict(), 1050.0, 1e-9);
  // 1 050 arrive, 50 of them the retries: first attempts stay at 1 000. Shedding 300 brings
  // back no more than the budget of 10 %.
  load.Add(1050, 300, 1.0);
  EXPECT_NEAR(load.First(), 1000.0, 1e-6);
  EXPECT_NEAR(load.Echo(), 100.0, 1e-6);
}

TEST(OfferedLoadTest, FollowsARampWithoutLagAndASurgeAtOnce) {
  OfferedLoad load;
  for (int t = 0; t < 120; ++t) load.Add(500.0 + 5.0 * t, 0, 1.0);
  EXPECT_NEAR(load.Predict(), 500.0 + 5.0 * 120, 5.0);  // the trend is learnt
  // 2 000 against ~1 100 predicted: far beyond Poisson noise, taken at once and extrapolated.
  load.Add(2000, 0, 1.0);
  EXPECT_GE(load.Predict(), 2000.0);
  // Noise around a level is smoothed, not followed.
  OfferedLoad flat;
  for (int t = 0; t < 60; ++t) flat.Add(t % 2 == 0 ? 1040.0 : 960.0, 0, 1.0);
  EXPECT_NEAR(flat.Predict(), 1000.0, 15.0);
}

}  // namespace
}  // namespace huddle::engine
