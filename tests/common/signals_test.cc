#include "common/signals.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace huddle::common {
namespace {

// The test binary is single-threaded here: a signal raised while blocked stays pending for
// the wait.
TEST(SignalsTest, ClassifiesAndDoesNotLoseASignalSentBeforeTheWait) {
  BlockControlSignals();
  ASSERT_EQ(::raise(SIGHUP), 0);
  EXPECT_EQ(WaitForControlSignal(std::chrono::seconds(5)), ControlSignal::kReload);
  ASSERT_EQ(::raise(SIGTERM), 0);
  EXPECT_EQ(WaitForControlSignal(std::chrono::seconds(5)), ControlSignal::kStop);
  ASSERT_EQ(::raise(SIGINT), 0);
  EXPECT_EQ(WaitForControlSignal(), ControlSignal::kStop);
  EXPECT_EQ(WaitForControlSignal(std::chrono::milliseconds(1)), ControlSignal::kNone);
}

TEST(SignalsTest, WaitForStopSignalTakesHangupsAndReportsThem) {
  BlockControlSignals();
  static int hups = 0;
  hups = 0;
  ASSERT_EQ(::raise(SIGHUP), 0);
  ASSERT_EQ(::raise(SIGTERM), 0);
  EXPECT_TRUE(WaitForStopSignal(std::chrono::seconds(5), [] { ++hups; }));
  EXPECT_EQ(hups, 1);
  EXPECT_FALSE(WaitForStopSignal(std::chrono::milliseconds(1)));
}

}  // namespace
}  // namespace huddle::common
