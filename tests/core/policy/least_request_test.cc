#include "core/policy/least_request.h"

#include <gtest/gtest.h>

#include <map>

#include "policy_test_util.h"

namespace huddle::core {
namespace {

using testing::At;
using testing::BackendGauges;
using testing::EqualTable;
using testing::PickMany;
using testing::PickOne;
using testing::Table;

void Send(Policy& policy, BackendIndex b, int times = 1) {
  for (int i = 0; i < times; ++i) policy.OnSend(b, At(0));
}
void Finish(Policy& policy, BackendIndex b, int times = 1) {
  for (int i = 0; i < times; ++i) policy.Observe(b, Outcome::Success(FromMillis(5)), At(0));
}

TEST(LeastRequestPolicyTest, PowerOfTwoPicksTheLessLoadedDraw) {
  LeastRequestPolicy policy;
  policy.Update(EqualTable(4));
  Send(policy, 0, 3);
  Send(policy, 1, 1);
  // Draws (0,1) -> 1; (2,0) -> 2; (1,1) -> 1; (0,0) -> 0.
  ScriptedRandom rng({ScriptedRandom::For(0, 4), ScriptedRandom::For(1, 4),
                      ScriptedRandom::For(2, 4), ScriptedRandom::For(0, 4),
                      ScriptedRandom::For(1, 4), ScriptedRandom::For(1, 4),
                      ScriptedRandom::For(0, 4), ScriptedRandom::For(0, 4)});
  EXPECT_EQ(PickMany(policy, rng, 4), (std::vector<BackendIndex>{1, 2, 1, 0}));
}

TEST(LeastRequestPolicyTest, TiesGoToTheFirstDraw) {
  LeastRequestPolicy policy;
  policy.Update(EqualTable(4));
  Send(policy, 3, 2);
  Send(policy, 1, 2);
  ScriptedRandom rng({ScriptedRandom::For(3, 4), ScriptedRandom::For(1, 4),
                      ScriptedRandom::For(1, 4), ScriptedRandom::For(3, 4)});
  EXPECT_EQ(PickMany(policy, rng, 2), (std::vector<BackendIndex>{3, 1}));
}

TEST(LeastRequestPolicyTest, ChoiceCountDrawsThatMany) {
  LeastRequestPolicy policy({.choice_count = 3});
  policy.Update(EqualTable(5));
  Send(policy, 0, 2);
  Send(policy, 1, 1);
  Send(policy, 2, 3);
  ScriptedRandom rng(
      {ScriptedRandom::For(0, 5), ScriptedRandom::For(2, 5), ScriptedRandom::For(1, 5)});
  EXPECT_EQ(PickOne(policy, rng), 1u);
}

TEST(LeastRequestPolicyTest, ObserveReleasesAndNeverGoesNegative) {
  LeastRequestPolicy policy;
  policy.Update(EqualTable(2));
  Send(policy, 0, 2);
  Finish(policy, 0, 5);
  EXPECT_EQ(BackendGauges(policy, 0).at("in_flight"), 0.0);
  Finish(policy, 7);  // unknown backend: ignored
  Send(policy, 0);
  EXPECT_EQ(BackendGauges(policy, 0).at("in_flight"), 1.0);
}

TEST(LeastRequestPolicyTest, PowerOfTwoAvoidsABusyBackend) {
  // 4 backends, backend 0 holds 10 requests for the whole run, the others finish at once. Backend
  // 0 wins only when both draws hit it: expected share 1/16 of 100k = 6250, sd 77; tolerance 400.
  // The other three split the rest evenly: 31250 each, sd ~150; tolerance 800.
  LeastRequestPolicy policy;
  policy.Update(EqualTable(4));
  Send(policy, 0, 10);
  Xoshiro256 rng(7);
  std::map<BackendIndex, int> counts;
  for (int i = 0; i < 100000; ++i) {
    const BackendIndex b = PickOne(policy, rng);
    ++counts[b];
    if (b == 0) continue;  // leave backend 0's load unchanged
    Send(policy, b);
    Finish(policy, b);
  }
  EXPECT_NEAR(counts[0], 6250, 400);
  for (BackendIndex b = 1; b < 4; ++b) EXPECT_NEAR(counts[b], 31250, 800) << b;
}

TEST(LeastRequestPolicyTest, WeightedUsesEdfWithActiveRequestBias) {
  // Weights 2 and 1; backend 0 holds one request throughout, so w_eff = 2/2 = 1 for both: the
  // shares are 50/50 (exactly, as EDF is deterministic) instead of the 2:1 of the weights.
  LeastRequestPolicy policy;
  policy.Update(Table({{0, 2}, {1, 1}}));
  Send(policy, 0);
  policy.Update(Table({{0, 2}, {1, 1}}));  // reschedule with the current effective weights
  ScriptedRandom rng({0});
  std::map<BackendIndex, int> counts;
  for (int i = 0; i < 10000; ++i) ++counts[PickOne(policy, rng)];
  EXPECT_NEAR(counts[0], 5000, 2);
  EXPECT_NEAR(counts[1], 5000, 2);
  EXPECT_EQ(BackendGauges(policy, 0).at("effective_weight"), 1.0);
}

TEST(LeastRequestPolicyTest, WeightedWithoutLoadFollowsWeights) {
  // Requests finish at once: w_eff = w, EDF gives 3:1 exactly (75000 / 25000 of 100k).
  LeastRequestPolicy policy;
  policy.Update(Table({{0, 3}, {1, 1}}));
  ScriptedRandom rng({0});
  std::map<BackendIndex, int> counts;
  for (int i = 0; i < 100000; ++i) {
    const BackendIndex b = PickOne(policy, rng);
    ++counts[b];
    Send(policy, b);
    Finish(policy, b);
  }
  EXPECT_NEAR(counts[0], 75000, 2);
  EXPECT_NEAR(counts[1], 25000, 2);
}

TEST(LeastRequestPolicyTest, BiasZeroIgnoresLoad) {
  LeastRequestPolicy policy({.active_request_bias = 0.0});
  policy.Update(Table({{0, 1}, {1, 3}}));
  Send(policy, 1, 50);
  EXPECT_EQ(BackendGauges(policy, 1).at("effective_weight"), 3.0);
  LeastRequestPolicy squared({.active_request_bias = 2.0});
  squared.Update(Table({{0, 1}, {1, 3}}));
  Send(squared, 1, 2);
  EXPECT_DOUBLE_EQ(BackendGauges(squared, 1).at("effective_weight"), 3.0 / 9.0);
}

TEST(LeastRequestPolicyTest, FullScanPicksTheLeastLoadedAndRotatesTies) {
  LeastRequestPolicy policy({.full_scan = true});
  policy.Update(EqualTable(4));
  ScriptedRandom rng({0});
  // All idle: ties rotate, so an idle cluster is served round robin.
  EXPECT_EQ(PickMany(policy, rng, 5), (std::vector<BackendIndex>{0, 1, 2, 3, 0}));
  Send(policy, 0, 2);
  Send(policy, 1, 1);
  Send(policy, 2, 1);
  Send(policy, 3, 1);
  // Cursor at 1: 1, 2 and 3 tie at one request; 1 is first at or after the cursor.
  EXPECT_EQ(PickOne(policy, rng), 1u);
  Send(policy, 1);
  EXPECT_EQ(PickOne(policy, rng), 2u);
}

TEST(LeastRequestPolicyTest, FullScanWeighsLoadByWeight) {
  LeastRequestPolicy policy({.full_scan = true});
  policy.Update(Table({{0, 1}, {1, 4}}));
  Send(policy, 1, 2);  // scores: 0 -> 1/1 = 1, 1 -> 3/4
  ScriptedRandom rng({0});
  EXPECT_EQ(PickOne(policy, rng), 1u);
}

TEST(LeastRequestPolicyTest, EmptySingleAndUpdatesKeepInFlight) {
  LeastRequestPolicy policy;
  ScriptedRandom rng({ScriptedRandom::For(0, 2), ScriptedRandom::For(1, 2)});
  EXPECT_EQ(PickOne(policy, rng), kNoBackend);
  policy.Update(Table({{5, 1}}));
  EXPECT_EQ(PickOne(policy, rng), 5u);
  Send(policy, 5, 3);
  policy.Update(Table({{2, 1}, {5, 1}}));
  EXPECT_EQ(BackendGauges(policy, 5).at("in_flight"), 3.0);
  EXPECT_EQ(testing::ClusterGauges(policy).at("in_flight"), 3.0);
  // Draws 2 then 5: 2 is idle, wins.
  EXPECT_EQ(PickOne(policy, rng), 2u);
  // A backend that left keeps its count (its requests are still out) and can finish them.
  policy.Update(Table({{2, 1}}, /*slots=*/6));
  Finish(policy, 5);
  EXPECT_EQ(BackendGauges(policy, 5).at("in_flight"), 2.0);
  EXPECT_EQ(testing::ClusterGauges(policy).at("in_flight"), 0.0);
  policy.Update(Table({}));
  EXPECT_EQ(PickOne(policy, rng), kNoBackend);
}

TEST(LeastRequestPolicyTest, OptionsAreValidated) {
  EXPECT_TRUE(LeastRequestPolicy::Create(
                  {{"choice_count", "3"}, {"active_request_bias", "0.5"}, {"full_scan", "true"}})
                  .has_value());
  EXPECT_FALSE(LeastRequestPolicy::Create({{"choice_count", "1"}}).has_value());
  EXPECT_FALSE(LeastRequestPolicy::Create({{"active_request_bias", "-1"}}).has_value());
  EXPECT_FALSE(LeastRequestPolicy::Create({{"choices", "2"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
