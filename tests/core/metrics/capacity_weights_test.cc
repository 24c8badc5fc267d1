#include "core/metrics/capacity_weights.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace huddle::core {
namespace {

using Caps = std::vector<std::optional<double>>;

std::vector<uint32_t> Akka(const Caps& caps) {
  std::vector<uint32_t> out(caps.size(), 777);
  CapacityWeights::AkkaWeights(caps, out);
  return out;
}

std::vector<uint64_t> Effective(const CapacityWeights& w) {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < w.size(); ++i) out.push_back(w.effective_weight(i));
  return out;
}

TEST(CapacityWeightsTest, WorkedExample) {
  // min capacity 0.3 -> divisor 0.3: 0.9/0.3 = 3, 0.3/0.3 = 1, 0.6/0.3 = 2.
  EXPECT_EQ(Akka({0.9, 0.3, 0.6}), (std::vector<uint32_t>{3, 1, 2}));
  CapacityWeights w;
  w.Rebuild(Caps{0.9, 0.3, 0.6});
  EXPECT_EQ(w.total(), 6u);
  EXPECT_EQ(Effective(w), (std::vector<uint64_t>{3, 1, 2}));
  // Cumulative [3, 4, 6]: v = 1..3 -> 0, 4 -> 1, 5..6 -> 2.
  const size_t expected[] = {0, 0, 0, 0, 1, 2, 2};
  for (uint64_t v = 1; v <= 6; ++v) EXPECT_EQ(w.Select(v), expected[v]) << "v=" << v;
}

TEST(CapacityWeightsTest, RoundsToNearest) {
  // min 0.25 (exact in binary): 0.625/0.25 = 2.5 -> 3 (half up, as Java's Math.round),
  // 0.3125/0.25 = 1.25 -> 1.
  EXPECT_EQ(Akka({0.625, 0.25, 0.3125}), (std::vector<uint32_t>{3, 1, 1}));
}

TEST(CapacityWeightsTest, BackendsWithoutMetricsGetTheIntegerMean) {
  // Weights 3 and 1: mean 2.
  EXPECT_EQ(Akka({0.9, std::nullopt, 0.3}), (std::vector<uint32_t>{3, 2, 1}));
  // Weights 3, 1, 1: mean 5 / 3 = 1 (integer division, as Akka).
  EXPECT_EQ(Akka({0.9, 0.3, 0.3, std::nullopt}), (std::vector<uint32_t>{3, 1, 1, 1}));
}

TEST(CapacityWeightsTest, UniformBeforeAnyMetrics) {
  EXPECT_EQ(Akka({std::nullopt, std::nullopt, std::nullopt}), (std::vector<uint32_t>{1, 1, 1}));
  CapacityWeights w;
  w.Rebuild(Caps{std::nullopt, std::nullopt});
  EXPECT_EQ(w.total(), 2u);
}

TEST(CapacityWeightsTest, OnePercentIsTheLowestUsableCapacity) {
  // min 0.004 < 0.01 -> divisor 0.01: 0.4 -> 0, 50, and the missing one gets (0 + 50) / 2 = 25.
  EXPECT_EQ(Akka({0.004, 0.5, std::nullopt}), (std::vector<uint32_t>{0, 50, 25}));
  EXPECT_EQ(Akka({0.0, 1.0}), (std::vector<uint32_t>{0, 100}));
}

TEST(CapacityWeightsTest, ZeroWeightIsNeverSelected) {
  // Cumulative [5, 5, 5, 6]: a binary search that stops at any equal entry (Akka's
  // Arrays.binarySearch) could return 1 or 2 for v = 5; the first entry >= v is always 0.
  CapacityWeights w;
  w.Rebuild(Caps{0.05, 0.0, 0.0, 0.01});
  ASSERT_EQ(Effective(w), (std::vector<uint64_t>{5, 0, 0, 1}));
  for (uint64_t v = 1; v <= w.total(); ++v) {
    const size_t pos = w.Select(v);
    EXPECT_TRUE(pos == 0 || pos == 3) << "v=" << v << " pos=" << pos;
  }
}

TEST(CapacityWeightsTest, AllSaturatedFallsBackToUniform) {
  // Every capacity 0 gives every weight 0; Akka would then call nextInt(0) and throw.
  CapacityWeights w;
  w.Rebuild(Caps{0.0, 0.0, std::nullopt});
  EXPECT_EQ(w.capacity_weight(0), 0u);
  EXPECT_EQ(w.capacity_weight(2), 0u);
  EXPECT_EQ(Effective(w), (std::vector<uint64_t>{1, 1, 1}));
}

TEST(CapacityWeightsTest, EqualMultipliersChangeNothing) {
  CapacityWeights w;
  const std::vector<double> m{2.0, 2.0, 2.0};
  w.Rebuild(Caps{0.9, 0.3, 0.6}, m);
  EXPECT_EQ(Effective(w), (std::vector<uint64_t>{3, 1, 2}));
}

TEST(CapacityWeightsTest, UnequalMultipliersScaleAtOnePercentResolution) {
  // Relative multipliers 1/2, 1, 1/4 (largest 2): 3*0.5*100 = 150, 1*1*100 = 100, 2*0.25*100 = 50.
  CapacityWeights w;
  const std::vector<double> m{1.0, 2.0, 0.5};
  w.Rebuild(Caps{0.9, 0.3, 0.6}, m);
  EXPECT_EQ(Effective(w), (std::vector<uint64_t>{150, 100, 50}));
  EXPECT_EQ(w.capacity_weight(0), 3u);
}

TEST(CapacityWeightsTest, TinyMultiplierKeepsAtLeastOne) {
  // 1 * (1e-6 / 1) * 100 rounds to 0, but the backend is eligible and has capacity: 1.
  CapacityWeights w;
  const std::vector<double> m{1e-6, 1.0};
  w.Rebuild(Caps{0.5, 0.5}, m);
  EXPECT_EQ(Effective(w), (std::vector<uint64_t>{1, 100}));
}

TEST(CapacityWeightsTest, UnusableMultiplierExcludesThePosition) {
  CapacityWeights w;
  const std::vector<double> m{1.0, std::numeric_limits<double>::quiet_NaN(), -1.0};
  w.Rebuild(Caps{0.5, 0.5, 0.5}, m);
  EXPECT_EQ(Effective(w), (std::vector<uint64_t>{100, 0, 0}));
  // Nothing usable at all: uniform rather than nothing to pick.
  const std::vector<double> none{0.0, 0.0, 0.0};
  w.Rebuild(Caps{0.5, 0.5, 0.5}, none);
  EXPECT_EQ(Effective(w), (std::vector<uint64_t>{1, 1, 1}));
}

TEST(CapacityWeightsTest, PickDrawsOneUniformIntegerInOneToTotal) {
  CapacityWeights w;
  w.Rebuild(Caps{0.9, 0.3, 0.6});
  // Below(6) + 1: draws 0, 2 -> v = 1, 3 -> position 0; 3 -> v = 4 -> 1; 4, 5 -> v = 5, 6 -> 2.
  ScriptedRandom rng({ScriptedRandom::For(0, 6), ScriptedRandom::For(2, 6),
                      ScriptedRandom::For(3, 6), ScriptedRandom::For(4, 6),
                      ScriptedRandom::For(5, 6)});
  std::vector<size_t> picks;
  for (int i = 0; i < 5; ++i) picks.push_back(*w.Pick(rng));
  EXPECT_EQ(picks, (std::vector<size_t>{0, 0, 1, 2, 2}));
}

TEST(CapacityWeightsTest, EmptyPicksNothing) {
  CapacityWeights w;
  w.Rebuild(Caps{});
  ScriptedRandom rng({0});
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.total(), 0u);
  EXPECT_FALSE(w.Pick(rng).has_value());
}

TEST(CapacityWeightsTest, RebuildShrinksAndGrows) {
  CapacityWeights w;
  w.Rebuild(Caps{0.9, 0.3, 0.6});
  w.Rebuild(Caps{0.2});
  EXPECT_EQ(w.size(), 1u);
  EXPECT_EQ(w.total(), 1u);
  w.Rebuild(Caps{0.1, 0.2, 0.3, 0.4});
  EXPECT_EQ(Effective(w), (std::vector<uint64_t>{1, 2, 3, 4}));
}

}  // namespace
}  // namespace huddle::core
