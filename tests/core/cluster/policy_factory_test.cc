#include "core/cluster/policy_factory.h"

#include <gtest/gtest.h>

namespace huddle::core {
namespace {

TEST(PolicyFactoryTest, BuildsEveryNamedPolicyWithDefaults) {
  for (const std::string& name : PolicyNames()) {
    auto policy = MakePolicy(name, {});
    ASSERT_TRUE(policy.has_value()) << name << ": " << policy.error().message;
    EXPECT_EQ((*policy)->Name(), name);
  }
}

TEST(PolicyFactoryTest, UnknownNameListsTheKnownOnes) {
  auto policy = MakePolicy("fastest", {});
  ASSERT_FALSE(policy.has_value());
  EXPECT_NE(policy.error().message.find("unknown policy 'fastest'"), std::string::npos);
  EXPECT_NE(policy.error().message.find("round_robin"), std::string::npos);
}

TEST(PolicyFactoryTest, UnknownOptionIsAnError) {
  auto policy = MakePolicy("round_robin", {{"colour", "blue"}});
  ASSERT_FALSE(policy.has_value());
  EXPECT_NE(policy.error().message.find("colour"), std::string::npos);
}

}  // namespace
}  // namespace huddle::core
