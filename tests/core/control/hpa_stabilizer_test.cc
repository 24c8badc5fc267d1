#include "core/control/hpa_stabilizer.h"

#include <gtest/gtest.h>

namespace huddle::core {
namespace {

TimePoint At(double seconds) { return TimePoint{} + FromSeconds(seconds); }

TEST(HpaStabilizerTest, ScaleUpIsRateLimitedPerPeriod) {
  HpaStabilizer hpa;  // +4 pods or +100 % per 15 s, the larger
  // From 2: max(2 + 4, ceil(2 * 2)) = 6.
  HpaDecision d = hpa.Stabilize(20, 2, At(0));
  EXPECT_EQ(d.desired, 6);
  EXPECT_EQ(d.limit, HpaLimit::kRateUp);
  // 5 s later the period still counts the +4: start = 2, limit 6.
  EXPECT_EQ(hpa.Stabilize(20, 6, At(5)).desired, 6);
  // After 15 s the period restarts from 6: max(10, 12) = 12.
  EXPECT_EQ(hpa.Stabilize(20, 6, At(16)).desired, 12);
  EXPECT_EQ(hpa.Stabilize(20, 12, At(32)).desired, 20);
}

TEST(HpaStabilizerTest, ScaleDownWaitsForTheWindow) {
  HpaStabilizer hpa;  // down window 300 s
  EXPECT_EQ(hpa.Stabilize(10, 10, At(0)).desired, 10);
  HpaDecision d = hpa.Stabilize(5, 10, At(60));
  EXPECT_EQ(d.desired, 10);  // max over the window is still 10
  EXPECT_EQ(d.limit, HpaLimit::kStabilisedDown);
  EXPECT_EQ(hpa.Stabilize(5, 10, At(299)).desired, 10);
  d = hpa.Stabilize(5, 10, At(301));  // the 10 at t = 0 has left the window
  EXPECT_EQ(d.desired, 5);
  EXPECT_EQ(d.limit, HpaLimit::kNone);
}

TEST(HpaStabilizerTest, AFreshStabiliserHoldsWhatIsRunningForTheWindow) {
  HpaStabilizer hpa;  // down window 300 s
  // No history: the 12 replicas found running count as a recommendation made at t = 0.
  HpaDecision d = hpa.Stabilize(8, 12, At(0));
  EXPECT_EQ(d.desired, 12);
  EXPECT_EQ(d.limit, HpaLimit::kStabilisedDown);
  EXPECT_EQ(hpa.Stabilize(8, 12, At(299)).desired, 12);
  EXPECT_EQ(hpa.Stabilize(8, 12, At(300)).desired, 8);
  // Scale-up is not held back by it.
  HpaStabilizer fresh;
  EXPECT_EQ(fresh.Stabilize(14, 12, At(0)).desired, 14);
}

TEST(HpaStabilizerTest, ScaleDownTakesTheHighestRecentRecommendation) {
  HpaStabilizer hpa;
  hpa.Stabilize(10, 10, At(0));
  hpa.Stabilize(8, 10, At(100));
  hpa.Stabilize(7, 10, At(200));
  // At 350 s the window (50..350] holds 8, 7 and the new 4: next = 8.
  EXPECT_EQ(hpa.Stabilize(4, 10, At(350)).desired, 8);
}

TEST(HpaStabilizerTest, ScaleDownRateLimitAndBounds) {
  HpaOptions o;
  o.scale_down_window = Duration::zero();
  o.scale_down = {{ScalingPolicy::Type::kPercent, 50, FromSeconds(60)}};
  o.min_replicas = 3;
  HpaStabilizer hpa(o);
  // From 20: floor(20 * 0.5) = 10.
  HpaDecision d = hpa.Stabilize(1, 20, At(0));
  EXPECT_EQ(d.desired, 10);
  EXPECT_EQ(d.limit, HpaLimit::kRateDown);
  // Within the same 60 s the period starts at 20 again: limit 10, no further change.
  EXPECT_EQ(hpa.Stabilize(1, 10, At(30)).desired, 10);
  // Later: floor(10 * 0.5) = 5, then the minimum of 3 binds.
  EXPECT_EQ(hpa.Stabilize(1, 10, At(61)).desired, 5);
  d = hpa.Stabilize(1, 5, At(122));
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.limit, HpaLimit::kBounds);
}

TEST(HpaStabilizerTest, ParseBuildsPolicies) {
  auto o = HpaOptions::Parse(
      {{"scale_up_pods", "0"}, {"scale_up_percent", "50"}, {"scale_down_window", "600s"}});
  ASSERT_TRUE(o.has_value());
  ASSERT_EQ(o->scale_up.size(), 1u);
  EXPECT_EQ(o->scale_up[0].type, ScalingPolicy::Type::kPercent);
  EXPECT_EQ(o->scale_down_window, FromSeconds(600));
  EXPECT_FALSE(HpaOptions::Parse({{"scale_down_percent", "150"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
