#include "core/health/panic.h"

#include <gtest/gtest.h>

namespace huddle::core {
namespace {

TEST(PanicTest, StrictlyBelowTheThresholdIsPanic) {
  EXPECT_FALSE(InPanic(5, 10, 50));  // exactly 50 %: not panic
  EXPECT_TRUE(InPanic(4, 10, 50));   // 40 %
  EXPECT_FALSE(InPanic(6, 10, 50));
  EXPECT_FALSE(InPanic(1, 2));  // default threshold 50
  EXPECT_TRUE(InPanic(0, 2));
}

TEST(PanicTest, ThresholdsOtherThanFifty) {
  EXPECT_TRUE(InPanic(2, 3, 70));  // 66.7 %
  EXPECT_FALSE(InPanic(3, 3, 100));
  EXPECT_TRUE(InPanic(9, 10, 100));   // 100 %: any unhealthy host means panic
  EXPECT_FALSE(InPanic(1, 3, 33.3));  // 33.33 % >= 33.3 %
}

TEST(PanicTest, ZeroThresholdDisablesAndEmptyClusterIsNeverInPanic) {
  EXPECT_FALSE(InPanic(0, 10, 0));
  EXPECT_FALSE(InPanic(0, 0, 50));
}

}  // namespace
}  // namespace huddle::core
