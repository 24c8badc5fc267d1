#include "core/control/queueing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace huddle::core {
namespace {

// Reference values computed with mpmath at 50 digits from the textbook sum
// C = (a^c/c! c/(c-a)) / (sum_{k<c} a^k/k! + a^c/c! c/(c-a)); they match engine-anchors.md.
TEST(QueueingTest, ErlangCMatchesReferenceValuesTo1e6) {
  EXPECT_NEAR(ErlangC(1, 0.5), 0.5, 1e-12);
  EXPECT_NEAR(ErlangC(10, 8), 0.409180150796444, 1e-9);
  EXPECT_NEAR(ErlangC(100, 90), 0.216940480906366, 1e-9);
  EXPECT_NEAR(ErlangC(1000, 950), 0.0682534153771414, 1e-9);
  EXPECT_NEAR(ErlangC(5000, 4900), 0.0999378772344877, 1e-9);
}

TEST(QueueingTest, ErlangBSmallCasesByHand) {
  // B(1, a) = a / (1 + a); B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2.
  EXPECT_DOUBLE_EQ(ErlangB(1, 1.0), 0.5);
  EXPECT_NEAR(ErlangB(2, 1.0), 0.2, 1e-15);
  EXPECT_DOUBLE_EQ(ErlangB(5, 0.0), 0.0);
}

TEST(QueueingTest, ErlangCIsOneAtOrAboveSaturation) {
  EXPECT_DOUBLE_EQ(ErlangC(10, 10), 1.0);
  EXPECT_DOUBLE_EQ(ErlangC(10, 12), 1.0);
  EXPECT_DOUBLE_EQ(ErlangC(10, std::numeric_limits<double>::quiet_NaN()), 0.0);
}

TEST(QueueingTest, MmcWaitMeanAndP99MatchTheReferenceExample) {
  // c = 10, a = 8, mu = 1: E[Wq] = C / (c mu - lambda) = 0.40918 / 2 = 0.20459;
  // p99 = ln(C / 0.01) / 2 = 1.8557.
  EXPECT_NEAR(MmcMeanWait(10, 8, 1), 0.204590075, 1e-8);
  EXPECT_NEAR(MmcWaitQuantile(10, 8, 1, 0.99), std::log(0.409180150796444 / 0.01) / 2, 1e-9);
  EXPECT_NEAR(MmcWaitQuantile(10, 8, 1, 0.99), 1.8557, 1e-4);
  // Quantile below the no-wait mass: 0.
  EXPECT_DOUBLE_EQ(MmcWaitQuantile(10, 8, 1, 0.5), 0.0);
  EXPECT_TRUE(std::isinf(MmcMeanWait(10, 10, 1)));
  EXPECT_TRUE(std::isinf(MmcWaitQuantile(10, 11, 1, 0.99)));
  // The bound ln(100) / 2 is above the exact value.
  EXPECT_NEAR(MmcWaitQuantileBound(10, 8, 1, 0.99), std::log(100.0) / 2, 1e-12);
}

TEST(QueueingTest, KingmanEqualsMm1WhenBothCvAreOne) {
  // M/M/1, rho = 0.8, E[S] = 1: E[Wq] = rho / (mu - lambda) = 0.8 / 0.2 = 4.
  EXPECT_NEAR(KingmanWait(0.8, 1, 1, 1.0), 4.0, 1e-12);
  // Deterministic service (cs2 = 0) halves it: M/D/1.
  EXPECT_NEAR(KingmanWait(0.8, 1, 0, 1.0), 2.0, 1e-12);
  EXPECT_TRUE(std::isinf(KingmanWait(1.0, 1, 1, 1.0)));
  EXPECT_DOUBLE_EQ(BurstAmplification(3, 1), 2.0);
}

TEST(QueueingTest, AllenCunneenScalesMmcByBurstiness) {
  // ca2 = 4 (bursty arrivals), cs2 = 1: 2.5 x the M/M/c wait.
  EXPECT_NEAR(AllenCunneenWait(10, 8, 1, 4, 1), 2.5 * MmcMeanWait(10, 8, 1), 1e-12);
}

TEST(QueueingTest, ServersForWaitProbabilityIsTheSmallestSufficientCount) {
  const int c = ServersForWaitProbability(90, 0.2, 10000);
  EXPECT_LE(ErlangC(c, 90), 0.2);
  EXPECT_GT(ErlangC(c - 1, 90), 0.2);
  // C(100, 90) = 0.2169 > 0.2, so more than 100 are needed.
  EXPECT_GT(c, 100);
  EXPECT_EQ(ServersForWaitProbability(90, 0.2, 95), 95);
}

}  // namespace
}  // namespace huddle::core
