#include "core/random.h"

#include <gtest/gtest.h>

#include <array>

namespace huddle::core {
namespace {

TEST(RandomTest, ScriptedForGivesRequestedBucket) {
  for (uint64_t n : {1ULL, 2ULL, 3ULL, 7ULL, 64ULL, 10000ULL}) {
    for (uint64_t k = 0; k < n; k += (n > 100 ? 997 : 1)) {
      ScriptedRandom rng({ScriptedRandom::For(k, n)});
      EXPECT_EQ(rng.Below(n), k) << "n=" << n;
    }
  }
}

TEST(RandomTest, XoshiroIsUniformEnough) {
  // 100k draws into 10 buckets: expected 10k each; binomial sd ~95, allow 5 sd.
  Xoshiro256 rng(42);
  std::array<int, 10> counts{};
  for (int i = 0; i < 100000; ++i) ++counts[rng.Below(10)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 475);
}

TEST(RandomTest, UnitDoubleInRange) {
  Xoshiro256 rng(7);
  for (int i = 0; i < 10000; ++i) {
    const double u = rng.UnitDouble();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

}  // namespace
}  // namespace huddle::core
