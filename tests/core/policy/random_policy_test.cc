#include "core/policy/random_policy.h"

#include <gtest/gtest.h>

#include <map>

#include "policy_test_util.h"

namespace huddle::core {
namespace {

using testing::BackendGauges;
using testing::PickMany;
using testing::PickOne;
using testing::Table;

TEST(RandomPolicyTest, EqualWeightsUseOneBelowDraw) {
  RandomPolicy policy;
  policy.Update(Table({{1, 1}, {4, 1}, {6, 1}}));
  ScriptedRandom rng(
      {ScriptedRandom::For(2, 3), ScriptedRandom::For(0, 3), ScriptedRandom::For(1, 3)});
  EXPECT_EQ(PickMany(policy, rng, 3), (std::vector<BackendIndex>{6, 1, 4}));
}

TEST(RandomPolicyTest, UnequalWeightsMapTheUnitDrawOntoCumulativeWeights) {
  // Weights 1,3,4 (total 8): [0,1) -> 0, [1,4) -> 1, [4,8) -> 2. For(k, 8) makes UnitDouble()
  // land just above k/8, i.e. at weight k.
  RandomPolicy policy;
  policy.Update(Table({{0, 1}, {1, 3}, {2, 4}}));
  std::vector<BackendIndex> picks;
  for (uint64_t k = 0; k < 8; ++k) {
    ScriptedRandom rng({ScriptedRandom::For(k, 8)});
    picks.push_back(PickOne(policy, rng));
  }
  EXPECT_EQ(picks, (std::vector<BackendIndex>{0, 1, 1, 1, 2, 2, 2, 2}));
  ScriptedRandom top({~uint64_t{0}});  // UnitDouble() just below 1
  EXPECT_EQ(PickOne(policy, top), 2u);
}

TEST(RandomPolicyTest, SharesFollowWeights) {
  // 100k picks with weights 1,2,3,4: expected shares 10/20/30/40 %; the binomial sd is at most
  // sqrt(1e5 * 0.4 * 0.6) = 155 picks, so a tolerance of 800 is about 5 sd.
  RandomPolicy policy;
  policy.Update(Table({{0, 1}, {1, 2}, {2, 3}, {3, 4}}));
  Xoshiro256 rng(2024);
  std::map<BackendIndex, int> counts;
  for (int i = 0; i < 100000; ++i) ++counts[PickOne(policy, rng)];
  EXPECT_NEAR(counts[0], 10000, 800);
  EXPECT_NEAR(counts[1], 20000, 800);
  EXPECT_NEAR(counts[2], 30000, 800);
  EXPECT_NEAR(counts[3], 40000, 800);
  EXPECT_DOUBLE_EQ(BackendGauges(policy, 3).at("probability"), 0.4);
}

TEST(RandomPolicyTest, UniformSharesWithEqualWeights) {
  // 100k picks over 5 backends: 20000 each, sd 126; tolerance 650 (~5 sd).
  RandomPolicy policy;
  policy.Update(testing::EqualTable(5));
  Xoshiro256 rng(99);
  std::map<BackendIndex, int> counts;
  for (int i = 0; i < 100000; ++i) ++counts[PickOne(policy, rng)];
  for (BackendIndex b = 0; b < 5; ++b) EXPECT_NEAR(counts[b], 20000, 650) << b;
}

TEST(RandomPolicyTest, EmptyAndSingle) {
  RandomPolicy policy;
  ScriptedRandom rng({12345});
  EXPECT_EQ(PickOne(policy, rng), kNoBackend);
  policy.Update(Table({{9, 3}}));
  EXPECT_EQ(PickMany(policy, rng, 2), (std::vector<BackendIndex>{9, 9}));
  policy.Update(Table({}));
  EXPECT_EQ(PickOne(policy, rng), kNoBackend);
}

TEST(RandomPolicyTest, OptionsRejectUnknownKeys) {
  EXPECT_TRUE(RandomPolicy::Create({}).has_value());
  EXPECT_FALSE(RandomPolicy::Create({{"seed", "1"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
