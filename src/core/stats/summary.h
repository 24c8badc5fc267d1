#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/error.h"

namespace huddle::core {

// Statistics over a handful of trials (the simulator's "29.6 +/- 0.3, p = 0.001" tables) and
// exact quantiles of a batch of latencies. Pure functions; nothing here is on a hot path, and
// the functions that sort copy their input (they allocate, and say so).

// Mean, sample standard deviation (n - 1 denominator) and a two-sided Student t confidence
// interval for the mean: mean +- t_{(1 + confidence) / 2, n - 1} * stddev / sqrt(n).
struct SampleSummary {
  size_t n = 0;
  double mean = 0.0;
  double stddev = 0.0;  // 0 when n == 1
  double confidence = 0.95;
  double ci_half_width = 0.0;  // +infinity when n == 1 (one trial says nothing about spread)

  double ci_low() const { return mean - ci_half_width; }
  double ci_high() const { return mean + ci_half_width; }
};

// Fails on empty input, a non-finite value, or confidence outside (0, 1).
Result<SampleSummary> Summarize(std::span<const double> values, double confidence = 0.95);

// Welch's unequal-variance t-test of equal means, two-sided.
//   t = (mean_a - mean_b) / sqrt(va / na + vb / nb),
//   df = (va/na + vb/nb)^2 / ((va/na)^2 / (na - 1) + (vb/nb)^2 / (nb - 1))  (Welch-Satterthwaite),
//   p = P(|T_df| >= |t|).
// When both samples have zero variance, df = na + nb - 2 and p is 1 if the means are equal and 0
// (t = +-infinity) otherwise.
struct WelchResult {
  double t = 0.0;
  double df = 0.0;
  double p_value = 1.0;
  double mean_difference = 0.0;  // mean_a - mean_b
};

// Fails unless both samples have n >= 2.
Result<WelchResult> WelchTTest(const SampleSummary& a, const SampleSummary& b);
Result<WelchResult> WelchTTest(std::span<const double> a, std::span<const double> b);

// Exact quantile of ascending `sorted` values by linear interpolation between order statistics
// (Hyndman & Fan type 7, the default of numpy and R): h = q * (n - 1),
//   Q(q) = x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
// q is clamped to [0, 1]; returns 0 for empty input. REQUIRES: sorted ascending.
double QuantileOfSorted(std::span<const double> sorted, double q);

// Quantiles qs (e.g. {0.5, 0.99, 0.999}) of unsorted values, by the rule above. Sorts a copy
// (allocates); NaN values are dropped.
std::vector<double> ExactQuantiles(std::span<const double> values, std::span<const double> qs);

}  // namespace huddle::core
