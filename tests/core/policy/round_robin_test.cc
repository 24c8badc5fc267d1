#include "core/policy/round_robin.h"

#include <gtest/gtest.h>

#include "policy_test_util.h"

namespace huddle::core {
namespace {

using testing::PickMany;
using testing::PickOne;
using testing::Table;

TEST(RoundRobinPolicyTest, CyclesInTableOrderFromTheFirstEntry) {
  RoundRobinPolicy policy;
  policy.Update(Table({{0, 1}, {2, 5}, {5, 1}}));
  ScriptedRandom rng({0});
  EXPECT_EQ(PickMany(policy, rng, 7), (std::vector<BackendIndex>{0, 2, 5, 0, 2, 5, 0}));
}

TEST(RoundRobinPolicyTest, IgnoresWeights) {
  RoundRobinPolicy policy;
  policy.Update(Table({{0, 100}, {1, 1}}));
  ScriptedRandom rng({0});
  EXPECT_EQ(PickMany(policy, rng, 4), (std::vector<BackendIndex>{0, 1, 0, 1}));
}

TEST(RoundRobinPolicyTest, EmptyTableGivesNothing) {
  RoundRobinPolicy policy;
  ScriptedRandom rng({0});
  EXPECT_EQ(PickOne(policy, rng), kNoBackend);  // before any Update
  policy.Update(Table({}));
  EXPECT_EQ(PickOne(policy, rng), kNoBackend);
}

TEST(RoundRobinPolicyTest, UpdateResumesAfterTheLastBackendPicked) {
  RoundRobinPolicy policy;
  policy.Update(Table({{0, 1}, {2, 1}, {5, 1}}));
  ScriptedRandom rng({0});
  EXPECT_EQ(PickMany(policy, rng, 2), (std::vector<BackendIndex>{0, 2}));
  // Backend 3 joins after 2: it is next. Then 5, then around.
  policy.Update(Table({{0, 1}, {2, 1}, {3, 1}, {5, 1}}));
  EXPECT_EQ(PickMany(policy, rng, 4), (std::vector<BackendIndex>{3, 5, 0, 2}));
  // Backend 2 (the last picked) leaves: continue with 3.
  policy.Update(Table({{0, 1}, {3, 1}, {5, 1}}));
  EXPECT_EQ(PickMany(policy, rng, 3), (std::vector<BackendIndex>{3, 5, 0}));
}

TEST(RoundRobinPolicyTest, OptionsRejectUnknownKeys) {
  EXPECT_TRUE(RoundRobinPolicy::Create({}).has_value());
  auto bad = RoundRobinPolicy::Create({{"start", "random"}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("unknown option 'start'"), std::string::npos);
}

}  // namespace
}  // namespace huddle::core
