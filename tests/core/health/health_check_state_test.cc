#include "core/health/health_check_state.h"

#include <gtest/gtest.h>

namespace huddle::core {
namespace {

TEST(HealthCheckStateTest, StartsHealthyByDefault) {
  EXPECT_TRUE(HealthCheckState(2, 2).healthy());
  EXPECT_FALSE(HealthCheckState(2, 2, /*start_healthy=*/false).healthy());
}

TEST(HealthCheckStateTest, FallsExactlyAtTheFallthFailure) {
  HealthCheckState s(/*rise=*/2, /*fall=*/3);
  EXPECT_FALSE(s.Observe(false));
  EXPECT_FALSE(s.Observe(false));
  EXPECT_TRUE(s.healthy());
  EXPECT_EQ(s.consecutive_failures(), 2u);
  EXPECT_TRUE(s.Observe(false));  // the third: flips
  EXPECT_FALSE(s.healthy());
  EXPECT_FALSE(s.Observe(false));  // already down: no second flip
  EXPECT_FALSE(s.healthy());
}

TEST(HealthCheckStateTest, RisesExactlyAtTheRisethPass) {
  HealthCheckState s(/*rise=*/3, /*fall=*/2, /*start_healthy=*/false);
  EXPECT_FALSE(s.Observe(true));
  EXPECT_FALSE(s.Observe(true));
  EXPECT_FALSE(s.healthy());
  EXPECT_TRUE(s.Observe(true));
  EXPECT_TRUE(s.healthy());
  EXPECT_FALSE(s.Observe(true));
  EXPECT_TRUE(s.healthy());
}

TEST(HealthCheckStateTest, AnOppositeResultRestartsTheStreak) {
  HealthCheckState s(/*rise=*/2, /*fall=*/3);
  s.Observe(false);
  s.Observe(false);
  EXPECT_FALSE(s.Observe(true));  // streak of failures broken at 2
  EXPECT_EQ(s.consecutive_failures(), 0u);
  EXPECT_FALSE(s.Observe(false));
  EXPECT_FALSE(s.Observe(false));
  EXPECT_TRUE(s.healthy());
  EXPECT_TRUE(s.Observe(false));
  // Down now: a pass, a failure, then two passes are needed.
  EXPECT_FALSE(s.Observe(true));
  EXPECT_FALSE(s.Observe(false));
  EXPECT_FALSE(s.Observe(true));
  EXPECT_FALSE(s.healthy());
  EXPECT_TRUE(s.Observe(true));
  EXPECT_TRUE(s.healthy());
}

TEST(HealthCheckStateTest, RiseAndFallOfOneFlipAtOnce) {
  HealthCheckState s(1, 1);
  EXPECT_TRUE(s.Observe(false));
  EXPECT_FALSE(s.healthy());
  EXPECT_TRUE(s.Observe(true));
  EXPECT_TRUE(s.healthy());
}

TEST(HealthCheckStateTest, NonPositiveThresholdsAreTreatedAsOne) {
  HealthCheckState s(0, -3);
  EXPECT_EQ(s.rise(), 1);
  EXPECT_EQ(s.fall(), 1);
  EXPECT_TRUE(s.Observe(false));
}

TEST(HealthCheckStateTest, ResetForcesStateAndClearsStreaks) {
  HealthCheckState s(2, 2);
  s.Observe(false);
  s.Reset(false);
  EXPECT_FALSE(s.healthy());
  EXPECT_EQ(s.consecutive_failures(), 0u);
  EXPECT_FALSE(s.Observe(true));
  EXPECT_TRUE(s.Observe(true));
}

TEST(HealthCheckOptionsTest, Defaults) {
  Result<HealthCheckOptions> o = HealthCheckOptions::Parse({});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->interval, FromSeconds(1));
  EXPECT_EQ(o->timeout, FromMillis(500));
  EXPECT_EQ(o->rise, 2);
  EXPECT_EQ(o->fall, 2);
  EXPECT_EQ(o->path, "/healthz");
}

TEST(HealthCheckOptionsTest, ParsesEveryKey) {
  Result<HealthCheckOptions> o = HealthCheckOptions::Parse(
      {{"interval", "5s"}, {"timeout", "2s"}, {"rise", "3"}, {"fall", "4"}, {"path", "/ready"}});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->interval, FromSeconds(5));
  EXPECT_EQ(o->timeout, FromSeconds(2));
  EXPECT_EQ(o->rise, 3);
  EXPECT_EQ(o->fall, 4);
  EXPECT_EQ(o->path, "/ready");
}

TEST(HealthCheckOptionsTest, RejectsBadValues) {
  Result<HealthCheckOptions> o = HealthCheckOptions::Parse(
      {{"interval", "1s"}, {"timeout", "2s"}, {"rise", "0"}, {"path", "healthz"}, {"colour", "x"}});
  ASSERT_FALSE(o.has_value());
  const std::string& m = o.error().message;
  EXPECT_NE(m.find("timeout must not exceed interval"), std::string::npos) << m;
  EXPECT_NE(m.find("rise"), std::string::npos) << m;
  EXPECT_NE(m.find("path must start with '/'"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown option 'colour'"), std::string::npos) << m;
}

}  // namespace
}  // namespace huddle::core
