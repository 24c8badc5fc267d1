#include "proxy/fault_plan.h"

#include <gtest/gtest.h>

namespace huddle::proxy {
namespace {

using std::chrono::seconds;

TEST(FaultPlanTest, ParsesEveryKind) {
  auto slow = ParseFaultSpec("slow:factor=5,at=10s,for=20s");
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->kind, FaultKind::kSlow);
  EXPECT_EQ(slow->factor, 5.0);
  EXPECT_EQ(slow->at, seconds(10));
  EXPECT_EQ(*slow->duration, seconds(20));
  auto error = ParseFaultSpec("error:rate=0.5,status=503");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->status, 503);
  EXPECT_EQ(error->rate, 0.5);
  EXPECT_TRUE(ParseFaultSpec("crash:at=1s"));
  EXPECT_TRUE(ParseFaultSpec("hang"));
  EXPECT_TRUE(ParseFaultSpec("reset:rate=0.1"));
  EXPECT_FALSE(ParseFaultSpec("explode"));
  EXPECT_FALSE(ParseFaultSpec("slow:rate=0.5"));
  EXPECT_FALSE(ParseFaultSpec("error:rate=2"));
  EXPECT_FALSE(ParseFaultSpec("slow:at=soon"));
}

TEST(FaultPlanTest, StateFollowsTheTimeline) {
  std::vector<FaultSpec> plan = {*ParseFaultSpec("slow:factor=5,at=10s,for=20s"),
                                 *ParseFaultSpec("crash:at=40s,for=5s")};
  EXPECT_EQ(FaultStateAt(plan, seconds(5)), FaultState{});
  EXPECT_EQ(FaultStateAt(plan, seconds(10)).slow_factor, 5.0);
  EXPECT_EQ(FaultStateAt(plan, seconds(30)).slow_factor, 1.0);
  EXPECT_TRUE(FaultStateAt(plan, seconds(42)).refuse);
  EXPECT_FALSE(FaultStateAt(plan, seconds(45)).refuse);
}

TEST(FaultPlanTest, FormatReadsBackToTheSameSpec) {
  for (const char* text : {"slow:factor=5,at=10s,for=20s", "error:rate=0.25,status=503", "crash",
                           "crash:at=1500ms,for=2s", "hang:at=5s", "reset:rate=0.1", "slow"}) {
    const FaultSpec spec = *ParseFaultSpec(text);
    const std::string formatted = FormatFaultSpec(spec);
    core::Result<FaultSpec> again = ParseFaultSpec(formatted);
    ASSERT_TRUE(again) << formatted;
    EXPECT_EQ(again->kind, spec.kind) << formatted;
    EXPECT_EQ(again->at, spec.at) << formatted;
    EXPECT_EQ(again->duration, spec.duration) << formatted;
    EXPECT_EQ(again->factor, spec.factor) << formatted;
    EXPECT_EQ(again->rate, spec.rate) << formatted;
    EXPECT_EQ(again->status, spec.status) << formatted;
  }
  EXPECT_EQ(FormatFaultSpec(*ParseFaultSpec("crash:at=1500ms,for=2s")),
            "crash:at=1500ms,for=2000ms");
  EXPECT_EQ(FormatFaultSpec(*ParseFaultSpec("error:rate=0.5")), "error:rate=0.5,status=500");
}

}  // namespace
}  // namespace huddle::proxy
