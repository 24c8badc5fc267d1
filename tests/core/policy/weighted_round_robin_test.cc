#include "core/policy/weighted_round_robin.h"

#include <gtest/gtest.h>

#include <map>

#include "policy_test_util.h"

namespace huddle::core {
namespace {

using testing::BackendGauges;
using testing::PickMany;
using testing::PickOne;
using testing::Table;

WeightedRoundRobinPolicy::Options Edf() {
  return {.algorithm = WeightedRoundRobinPolicy::Algorithm::kEdf};
}

TEST(WeightedRoundRobinPolicyTest, SmoothMatchesNginx) {
  // NGINX's comment in ngx_http_upstream_round_robin.c: weights 5,1,1 give a a b a c a a.
  WeightedRoundRobinPolicy policy;
  policy.Update(Table({{0, 5}, {1, 1}, {2, 1}}));
  ScriptedRandom rng({0});
  EXPECT_EQ(PickMany(policy, rng, 14),
            (std::vector<BackendIndex>{0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0}));
}

TEST(WeightedRoundRobinPolicyTest, SmoothWithFractionalWeights) {
  // Weights 0.5, 0.25, 0.25 are 2:1:1. Currents: (.5,.25,.25)->a; (0,.5,.5)->b; (.5,-.25,.75)->c;
  // (1,0,0)->a; then the cycle repeats.
  WeightedRoundRobinPolicy policy;
  policy.Update(Table({{0, 0.5}, {1, 0.25}, {2, 0.25}}));
  ScriptedRandom rng({0});
  EXPECT_EQ(PickMany(policy, rng, 8), (std::vector<BackendIndex>{0, 1, 2, 0, 0, 1, 2, 0}));
}

TEST(WeightedRoundRobinPolicyTest, EdfExactSequence) {
  // Deadlines start at 1/w: a 0.5, b 1, c 1. a(0.5) -> 1.0 queued after b and c; b, c, a(1.0) ->
  // 1.5, a(1.5) -> 2.0 after b(2), c(2); ...
  WeightedRoundRobinPolicy policy(Edf());
  policy.Update(Table({{0, 2}, {1, 1}, {2, 1}}));
  ScriptedRandom rng({0});
  EXPECT_EQ(PickMany(policy, rng, 12),
            (std::vector<BackendIndex>{0, 1, 2, 0, 0, 1, 2, 0, 0, 1, 2, 0}));
}

TEST(WeightedRoundRobinPolicyTest, EdfSharesFollowWeights) {
  // 70k picks over weights 1,2,4: EDF is exact to within one pick per backend.
  WeightedRoundRobinPolicy policy(Edf());
  policy.Update(Table({{0, 1}, {1, 2}, {2, 4}}));
  ScriptedRandom rng({0});
  std::map<BackendIndex, int> counts;
  for (int i = 0; i < 70000; ++i) ++counts[PickOne(policy, rng)];
  EXPECT_NEAR(counts[0], 10000, 1);
  EXPECT_NEAR(counts[1], 20000, 1);
  EXPECT_NEAR(counts[2], 40000, 1);
}

TEST(WeightedRoundRobinPolicyTest, SmoothSharesFollowUnevenWeights) {
  WeightedRoundRobinPolicy policy;
  policy.Update(Table({{3, 1.5}, {7, 3.0}, {9, 0.5}}));
  ScriptedRandom rng({0});
  std::map<BackendIndex, int> counts;
  for (int i = 0; i < 50000; ++i) ++counts[PickOne(policy, rng)];
  // Shares 0.3, 0.6, 0.1 of 50k; smooth WRR is exact to within one pick per cycle.
  EXPECT_NEAR(counts[3], 15000, 2);
  EXPECT_NEAR(counts[7], 30000, 2);
  EXPECT_NEAR(counts[9], 5000, 2);
}

TEST(WeightedRoundRobinPolicyTest, EmptyAndSingle) {
  for (auto options : {WeightedRoundRobinPolicy::Options{}, Edf()}) {
    WeightedRoundRobinPolicy policy(options);
    ScriptedRandom rng({0});
    EXPECT_EQ(PickOne(policy, rng), kNoBackend);
    policy.Update(Table({{4, 2.5}}));
    EXPECT_EQ(PickMany(policy, rng, 3), (std::vector<BackendIndex>{4, 4, 4}));
    policy.Update(Table({}));
    EXPECT_EQ(PickOne(policy, rng), kNoBackend);
  }
}

TEST(WeightedRoundRobinPolicyTest, SmoothUpdateKeepsCurrentWeights) {
  WeightedRoundRobinPolicy policy;
  policy.Update(Table({{0, 5}, {1, 1}, {2, 1}}));
  ScriptedRandom rng({0});
  EXPECT_EQ(PickMany(policy, rng, 3), (std::vector<BackendIndex>{0, 0, 1}));
  // Currents now a 1, b -4, c 3 (see SmoothMatchesNginx). The same table again changes nothing:
  // the sequence goes on with a c a a.
  EXPECT_EQ(BackendGauges(policy, 0).at("current_weight"), 1.0);
  EXPECT_EQ(BackendGauges(policy, 1).at("current_weight"), -4.0);
  policy.Update(Table({{0, 5}, {1, 1}, {2, 1}}, 10));
  EXPECT_EQ(PickMany(policy, rng, 4), (std::vector<BackendIndex>{0, 2, 0, 0}));
}

TEST(WeightedRoundRobinPolicyTest, EdfUpdateKeepsDeadlines) {
  WeightedRoundRobinPolicy policy(Edf());
  policy.Update(Table({{0, 2}, {1, 1}, {2, 1}}));
  ScriptedRandom rng({0});
  EXPECT_EQ(PickMany(policy, rng, 2), (std::vector<BackendIndex>{0, 1}));
  // A rebuilt scheduler would start with 0 again; the kept one continues with c then a.
  policy.Update(Table({{0, 2}, {1, 1}, {2, 1}}));
  EXPECT_EQ(PickMany(policy, rng, 2), (std::vector<BackendIndex>{2, 0}));
}

TEST(WeightedRoundRobinPolicyTest, EqualWeightsAreRoundRobinInBothAlgorithms) {
  for (const auto& options : {WeightedRoundRobinPolicy::Options{}, Edf()}) {
    WeightedRoundRobinPolicy policy(options);
    policy.Update(Table({{0, 2}, {3, 2}, {5, 2}}));
    ScriptedRandom rng({0});
    EXPECT_EQ(PickMany(policy, rng, 7), (std::vector<BackendIndex>{0, 3, 5, 0, 3, 5, 0}));
    // Unequal weights switch back to the weighted schedule: 2:1 over 30 picks is exact.
    policy.Update(Table({{0, 2}, {3, 1}}));
    std::map<BackendIndex, int> counts;
    for (BackendIndex b : PickMany(policy, rng, 30)) ++counts[b];
    EXPECT_EQ(counts[0], 20);
    EXPECT_EQ(counts[3], 10);
  }
}

TEST(WeightedRoundRobinPolicyTest, OptionsAreValidated) {
  EXPECT_TRUE(WeightedRoundRobinPolicy::Create({{"algorithm", "edf"}}).has_value());
  EXPECT_FALSE(WeightedRoundRobinPolicy::Create({{"algorithm", "fair"}}).has_value());
  EXPECT_FALSE(WeightedRoundRobinPolicy::Create({{"weights", "1"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
