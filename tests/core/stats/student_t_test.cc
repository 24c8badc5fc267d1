#include "core/stats/student_t.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace huddle::core {
namespace {

// Reference values computed with mpmath 1.3 at 30 digits (betainc(..., regularized=True)).

TEST(RegularizedIncompleteBetaTest, KnownValues) {
  // I_0.3(2, 3) = 0.3483 exactly (a polynomial for integer a, b).
  EXPECT_NEAR(RegularizedIncompleteBeta(2.0, 3.0, 0.3), 0.3483, 1e-13);
  // I_0.9(1/2, 1/2) = (2 / pi) asin(sqrt(0.9)) = 0.795167235300866548.
  EXPECT_NEAR(RegularizedIncompleteBeta(0.5, 0.5, 0.9), 0.795167235300866548, 1e-13);
  EXPECT_NEAR(RegularizedIncompleteBeta(0.5, 0.5, 0.9),
              2.0 / std::numbers::pi * std::asin(std::sqrt(0.9)), 1e-13);
  EXPECT_NEAR(RegularizedIncompleteBeta(50.0, 60.0, 0.5), 0.830907293901669414, 1e-12);
  // I_x(1, 1) = x.
  EXPECT_NEAR(RegularizedIncompleteBeta(1.0, 1.0, 0.37), 0.37, 1e-14);
}

TEST(RegularizedIncompleteBetaTest, EndsAndSymmetry) {
  EXPECT_DOUBLE_EQ(RegularizedIncompleteBeta(2.0, 3.0, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(RegularizedIncompleteBeta(2.0, 3.0, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(RegularizedIncompleteBeta(2.0, 3.0, -0.5), 0.0);  // clamped
  EXPECT_DOUBLE_EQ(RegularizedIncompleteBeta(2.0, 3.0, 1.5), 1.0);
  for (double x : {0.01, 0.2, 0.5, 0.77, 0.99}) {
    EXPECT_NEAR(RegularizedIncompleteBeta(2.5, 7.0, x) + RegularizedIncompleteBeta(7.0, 2.5, 1 - x),
                1.0, 1e-13);
  }
}

TEST(StudentTTest, TwoSidedPKnownValues) {
  EXPECT_NEAR(StudentTTwoSidedP(2.0, 10.0), 0.0733880347707403656, 1e-12);  // the classic 0.07339
  EXPECT_NEAR(StudentTTwoSidedP(-2.0, 10.0), 0.0733880347707403656, 1e-12);
  EXPECT_NEAR(StudentTTwoSidedP(1.0, 1.0), 0.5, 1e-14);  // Cauchy: P(|T| > 1) = 1/2
  EXPECT_NEAR(StudentTTwoSidedP(3.0, 5.0), 0.0300992478974625738, 1e-13);
  EXPECT_NEAR(StudentTTwoSidedP(0.5, 2.5), 0.657697919869714689, 1e-12);
  EXPECT_NEAR(StudentTTwoSidedP(10.0, 30.0), 4.57525140822961319e-11, 1e-20);
  EXPECT_DOUBLE_EQ(StudentTTwoSidedP(0.0, 7.0), 1.0);
  EXPECT_DOUBLE_EQ(StudentTTwoSidedP(INFINITY, 7.0), 0.0);
}

TEST(StudentTTest, CdfIsSymmetric) {
  EXPECT_NEAR(StudentTCdf(1.0, 1.0), 0.75, 1e-14);
  EXPECT_NEAR(StudentTCdf(-1.0, 1.0), 0.25, 1e-14);
  EXPECT_DOUBLE_EQ(StudentTCdf(0.0, 3.0), 0.5);
  for (double t : {0.3, 1.7, 4.0}) {
    EXPECT_NEAR(StudentTCdf(t, 6.5) + StudentTCdf(-t, 6.5), 1.0, 1e-14);
  }
  EXPECT_DOUBLE_EQ(StudentTCdf(-INFINITY, 3.0), 0.0);
  EXPECT_DOUBLE_EQ(StudentTCdf(INFINITY, 3.0), 1.0);
}

TEST(StudentTTest, QuantileMatchesTables) {
  // t_{0.975, df} from mpmath (the familiar 12.706, 4.303, 2.776, 2.262, 2.045, 1.984).
  EXPECT_NEAR(StudentTQuantile(0.975, 1.0), 12.7062047361747046, 1e-9);
  EXPECT_NEAR(StudentTQuantile(0.975, 2.0), 4.30265272974946385, 1e-10);
  EXPECT_NEAR(StudentTQuantile(0.975, 4.0), 2.77644510519779436, 1e-10);
  EXPECT_NEAR(StudentTQuantile(0.975, 9.0), 2.26215716279820554, 1e-10);
  EXPECT_NEAR(StudentTQuantile(0.975, 29.0), 2.04522964213270430, 1e-10);
  EXPECT_NEAR(StudentTQuantile(0.975, 100.0), 1.98397151852355229, 1e-10);
  EXPECT_NEAR(StudentTQuantile(0.025, 4.0), -2.77644510519779436, 1e-10);
  // Large df tends to the normal 1.959963984540054 (difference about 1e-6 at df = 1e6).
  EXPECT_NEAR(StudentTQuantile(0.975, 1e6), 1.959963984540054, 1e-5);
  EXPECT_DOUBLE_EQ(StudentTQuantile(0.5, 3.0), 0.0);
  EXPECT_EQ(StudentTQuantile(1.0, 3.0), INFINITY);
  EXPECT_EQ(StudentTQuantile(0.0, 3.0), -INFINITY);
}

TEST(StudentTTest, QuantileInvertsCdf) {
  for (double df : {1.0, 2.5, 24.99, 300.0}) {
    for (double p : {0.001, 0.1, 0.6, 0.95, 0.9995}) {
      EXPECT_NEAR(StudentTCdf(StudentTQuantile(p, df), df), p, 1e-12) << df << " " << p;
    }
  }
}

}  // namespace
}  // namespace huddle::core
