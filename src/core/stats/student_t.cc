#include "core/stats/student_t.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace huddle::core {
namespace {

constexpr double kTiny = 1e-300;  // keeps Lentz's denominators away from zero
constexpr double kEpsilon = 1e-15;
constexpr int kMaxIterations = 1000;

// The continued fraction for I_x(a, b) * a / (x^a (1-x)^b / B(a, b)):
//   1 / (1 + d1 / (1 + d2 / (1 + ...))),
//   d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
//   d_{2m}   = m (b - m) x / ((a + 2m - 1)(a + 2m)).
// It converges quickly for x < (a + 1) / (a + b + 2). Modified Lentz (Thompson & Barnett 1986).
double BetaContinuedFraction(double a, double b, double x) {
  auto guard = [](double v) { return std::fabs(v) < kTiny ? kTiny : v; };
  double c = 1.0;
  double d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
  double f = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double md = m;
    const double even = md * (b - md) * x / ((a + 2.0 * md - 1.0) * (a + 2.0 * md));
    d = 1.0 / guard(1.0 + even * d);
    c = guard(1.0 + even / c);
    f *= d * c;
    const double odd = -(a + md) * (a + b + md) * x / ((a + 2.0 * md) * (a + 2.0 * md + 1.0));
    d = 1.0 / guard(1.0 + odd * d);
    c = guard(1.0 + odd / c);
    const double step = d * c;
    f *= step;
    if (std::fabs(step - 1.0) < kEpsilon) break;
  }
  return f;
}

}  // namespace

double RegularizedIncompleteBeta(double a, double b, double x) {
  if (std::isnan(x)) return x;
  x = std::clamp(x, 0.0, 1.0);
  if (x == 0.0) return 0.0;
  if (x == 1.0) return 1.0;
  // log of x^a (1-x)^b / B(a, b).
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  // I_x(a, b) = 1 - I_{1-x}(b, a): use the side where the fraction converges fast.
  if (x < (a + 1.0) / (a + b + 2.0)) return front * BetaContinuedFraction(a, b, x) / a;
  return 1.0 - front * BetaContinuedFraction(b, a, 1.0 - x) / b;
}

double StudentTTwoSidedP(double t, double df) {
  if (std::isnan(t)) return t;
  if (std::isinf(t)) return 0.0;
  // x = df / (df + t^2), computed so that large |t| does not lose x to rounding.
  const double x = df / (df + t * t);
  return RegularizedIncompleteBeta(0.5 * df, 0.5, x);
}

double StudentTCdf(double t, double df) {
  if (std::isnan(t)) return t;
  const double tail = 0.5 * StudentTTwoSidedP(t, df);
  return t >= 0.0 ? 1.0 - tail : tail;
}

double StudentTQuantile(double p, double df) {
  if (std::isnan(p)) return p;
  if (p <= 0.0) return -std::numeric_limits<double>::infinity();
  if (p >= 1.0) return std::numeric_limits<double>::infinity();
  if (p == 0.5) return 0.0;
  // Solve on the upper half through the upper tail, which keeps precision for p near 1.
  const double tail = p > 0.5 ? 1.0 - p : p;  // P(T > t) wanted
  auto upper_tail = [df](double t) { return 0.5 * StudentTTwoSidedP(t, df); };
  double lo = 0.0;
  double hi = 1.0;
  while (upper_tail(hi) > tail && hi < 1e300) {
    lo = hi;
    hi *= 2.0;
  }
  for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (upper_tail(mid) > tail) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  const double t = 0.5 * (lo + hi);
  return p > 0.5 ? t : -t;
}

}  // namespace huddle::core
