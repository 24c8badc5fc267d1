#pragma once

namespace huddle::core {

// Student's t distribution with (possibly fractional) degrees of freedom df > 0, through the
// regularized incomplete beta function: for t >= 0,
//   P(|T| > t) = I_{df / (df + t^2)}(df / 2, 1 / 2).
// Pure functions, thread-safe apart from std::lgamma's write of the global signgam (harmless:
// the arguments here are positive).

// I_x(a, b) for a, b > 0 and x in [0, 1] (x is clamped), by the continued fraction of
// Numerical Recipes 6.4 evaluated with the modified Lentz method; |error| about 1e-14.
double RegularizedIncompleteBeta(double a, double b, double x);

// P(T <= t). REQUIRES: df > 0. Handles t = +-infinity.
double StudentTCdf(double t, double df);

// Two-sided tail probability P(|T| >= |t|). REQUIRES: df > 0.
double StudentTTwoSidedP(double t, double df);

// The t with P(T <= t) = p, found by bisection on StudentTCdf to about 1e-12 relative.
// Returns -+infinity for p <= 0 or p >= 1. REQUIRES: df > 0.
double StudentTQuantile(double p, double df);

}  // namespace huddle::core
