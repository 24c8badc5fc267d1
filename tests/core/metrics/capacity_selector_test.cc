#include "core/metrics/capacity_selector.h"

#include <gtest/gtest.h>

namespace huddle::core {
namespace {

using Kind = CapacitySelector::Kind;

TEST(CapacitySelectorTest, CpuCountsStolenTimeOnePointThreeTimes) {
  // 1 - (0.2 + 1.3 * 0.1) = 0.67
  EXPECT_NEAR(*CapacitySelector::Cpu({.cpu = 0.2, .cpu_stolen = 0.1}), 0.67, 1e-12);
  // Without a stolen figure: 1 - 0.2.
  EXPECT_NEAR(*CapacitySelector::Cpu({.cpu = 0.2}), 0.8, 1e-12);
  EXPECT_FALSE(CapacitySelector::Cpu({.cpu_stolen = 0.1}).has_value());
}

TEST(CapacitySelectorTest, CpuIsZeroWhenLoadReachesOne) {
  // 0.5 + 1.3 * 0.5 = 1.15 >= 1: saturated, capacity 0 rather than negative.
  EXPECT_DOUBLE_EQ(*CapacitySelector::Cpu({.cpu = 0.5, .cpu_stolen = 0.5}), 0.0);
  EXPECT_DOUBLE_EQ(*CapacitySelector::Cpu({.cpu = 1.0}), 0.0);
  EXPECT_DOUBLE_EQ(*CapacitySelector::Cpu({.cpu = 3.0}), 0.0);
  EXPECT_DOUBLE_EQ(*CapacitySelector::Cpu({.cpu = 0.0}), 1.0);
}

TEST(CapacitySelectorTest, HeapIsFreeFractionOfMax) {
  // (1000 - 250) / 1000 = 0.75
  EXPECT_DOUBLE_EQ(*CapacitySelector::Heap({.memory_used_bytes = 250, .memory_max_bytes = 1000}),
                   0.75);
  // More used than max (a late max report): clamped to 0, not negative.
  EXPECT_DOUBLE_EQ(*CapacitySelector::Heap({.memory_used_bytes = 1200, .memory_max_bytes = 1000}),
                   0.0);
  // atomr treats max 0 as usage 0 (capacity 1); no max means no heap capacity here.
  EXPECT_FALSE(CapacitySelector::Heap({.memory_used_bytes = 0, .memory_max_bytes = 0}));
  EXPECT_FALSE(CapacitySelector::Heap({.memory_used_bytes = 250}));
  EXPECT_FALSE(CapacitySelector::Heap({.memory_max_bytes = 1000}));
}

TEST(CapacitySelectorTest, LoadIsOneMinusLoadPerProcessor) {
  // 1 - min(1, 2 / 4) = 0.5
  EXPECT_DOUBLE_EQ(*CapacitySelector::Load({.load_average = 2.0, .processors = 4}), 0.5);
  // 1 - min(1, 8 / 4) = 0
  EXPECT_DOUBLE_EQ(*CapacitySelector::Load({.load_average = 8.0, .processors = 4}), 0.0);
  EXPECT_DOUBLE_EQ(*CapacitySelector::Load({.load_average = 0.0, .processors = 2}), 1.0);
  EXPECT_FALSE(CapacitySelector::Load({.load_average = 2.0, .processors = 0}));
  EXPECT_FALSE(CapacitySelector::Load({.load_average = 2.0}));
}

TEST(CapacitySelectorTest, MixIsTheMeanOfTheSelectorsWithAValue) {
  const NodeMetrics all{.cpu = 0.2,
                        .cpu_stolen = 0.1,
                        .memory_used_bytes = 250,
                        .memory_max_bytes = 1000,
                        .load_average = 2.0,
                        .processors = 4};
  // (0.67 + 0.75 + 0.5) / 3 = 0.64
  EXPECT_NEAR(*CapacitySelector::Mix(all), 0.64, 1e-12);
  // Heap and load only: (0.75 + 0.5) / 2. cpu_stolen alone gives no cpu capacity.
  EXPECT_NEAR(*CapacitySelector::Mix({.cpu_stolen = 0.1,
                                      .memory_used_bytes = 250,
                                      .memory_max_bytes = 1000,
                                      .load_average = 2.0,
                                      .processors = 4}),
              0.625, 1e-12);
  // Heap only: the heap capacity itself, not halved by the missing ones (atomr's 0.5 * sum).
  EXPECT_DOUBLE_EQ(*CapacitySelector::Mix({.memory_used_bytes = 250, .memory_max_bytes = 1000}),
                   0.75);
  EXPECT_FALSE(CapacitySelector::Mix({}).has_value());
}

TEST(CapacitySelectorTest, CapacityDispatchesOnKind) {
  const NodeMetrics m{.cpu = 0.4, .memory_used_bytes = 900, .memory_max_bytes = 1000};
  EXPECT_NEAR(*CapacitySelector(Kind::kCpu).Capacity(m), 0.6, 1e-12);
  EXPECT_NEAR(*CapacitySelector(Kind::kHeap).Capacity(m), 0.1, 1e-12);
  EXPECT_FALSE(CapacitySelector(Kind::kLoad).Capacity(m).has_value());
  EXPECT_NEAR(*CapacitySelector(Kind::kMix).Capacity(m), 0.35, 1e-12);
}

TEST(CapacitySelectorTest, ParseAndNameRoundTrip) {
  for (Kind k : {Kind::kMix, Kind::kCpu, Kind::kHeap, Kind::kLoad}) {
    Result<Kind> parsed = CapacitySelector::Parse(CapacitySelector::Name(k));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, k);
  }
  Result<Kind> bad = CapacitySelector::Parse("memory");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("memory"), std::string::npos);
}

}  // namespace
}  // namespace huddle::core
