#include "core/waves/rebalance_plan.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/random.h"

namespace huddle::core {
namespace {

int64_t Total(const std::vector<NodeLoad>& loads) {
  int64_t s = 0;
  for (const NodeLoad& l : loads) s += l.load;
  return s;
}

TEST(PlanRebalanceTest, MovesFromMostToLeastLoaded) {
  const std::vector<NodeLoad> loads = {{0, 10, 2}, {1, 0, 2}, {2, 2, 2}};
  const auto plan = PlanRebalance(loads);
  const auto after = ApplyPlan(loads, plan);
  // 12 tasks on 6 cores: 4 each.
  EXPECT_EQ(after, (std::vector<NodeLoad>{{0, 4, 2}, {1, 4, 2}, {2, 4, 2}}));
  EXPECT_EQ(plan, (std::vector<Transfer>{{0, 1, 4}, {0, 2, 2}}));
}

TEST(PlanRebalanceTest, ProportionalToCapacity) {
  const std::vector<NodeLoad> loads = {{0, 12, 1}, {1, 0, 3}};
  const auto after = ApplyPlan(loads, PlanRebalance(loads));
  EXPECT_EQ(after[0].load, 3);
  EXPECT_EQ(after[1].load, 9);
}

TEST(PlanRebalanceTest, NothingToDoWhenBalancedOrEmpty) {
  EXPECT_TRUE(PlanRebalance(std::vector<NodeLoad>{{0, 3, 1}, {1, 3, 1}}).empty());
  EXPECT_TRUE(PlanRebalance(std::vector<NodeLoad>{{0, 0, 4}, {1, 0, 1}}).empty());
  EXPECT_TRUE(PlanRebalance(std::vector<NodeLoad>{}).empty());
  EXPECT_TRUE(PlanRebalance(std::vector<NodeLoad>{{0, 1, 1}, {1, 0, 1}}).empty());  // 0/1 vs 1/0
}

TEST(PlanRebalanceTest, ZeroCapacityNodesAreDrainedNeverFilled) {
  const std::vector<NodeLoad> loads = {{0, 5, 0}, {1, 1, 2}, {2, 0, 0}};
  const auto after = ApplyPlan(loads, PlanRebalance(loads));
  EXPECT_EQ(after[0].load, 0);
  EXPECT_EQ(after[1].load, 6);
  EXPECT_EQ(after[2].load, 0);
}

TEST(PlanRebalanceTest, MaxMovesLimitsThePlan) {
  const std::vector<NodeLoad> loads = {{0, 10, 1}, {1, 0, 1}};
  const auto plan = PlanRebalance(loads, 3);
  EXPECT_EQ(plan, (std::vector<Transfer>{{0, 1, 3}}));
}

TEST(PlanRebalanceTest, RandomLoadsConserveTotalAndLeaveNoImprovingMove) {
  Xoshiro256 rng(1234);
  for (int trial = 0; trial < 2000; ++trial) {
    const size_t n = 1 + rng.Below(12);
    std::vector<NodeLoad> loads;
    for (NodeId i = 0; i < n; ++i) {
      loads.push_back(
          {i, static_cast<int64_t>(rng.Below(30)), 1 + static_cast<int64_t>(rng.Below(8))});
    }
    const auto plan = PlanRebalance(loads);
    const auto after = ApplyPlan(loads, plan);
    ASSERT_EQ(Total(after), Total(loads));
    for (const NodeLoad& l : after) ASSERT_GE(l.load, 0);
    for (const Transfer& t : plan) {
      ASSERT_GT(t.tasks, 0);
      ASSERT_NE(t.from, t.to);
      ASSERT_LE(t.tasks, loads[t.from].load);  // never gives more than it had: no duplicates
    }
    // No single move from any node to any other would leave the giver at least as loaded as
    // the receiver: (l_i - 1) / c_i < (l_j + 1) / c_j for all i != j with l_i > 0.
    for (const NodeLoad& a : after) {
      for (const NodeLoad& b : after) {
        if (a.node == b.node || a.load == 0) continue;
        ASSERT_LT((a.load - 1) * b.capacity, (b.load + 1) * a.capacity) << "trial " << trial;
      }
    }
  }
}

}  // namespace
}  // namespace huddle::core
