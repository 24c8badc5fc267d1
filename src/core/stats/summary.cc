#include "core/stats/summary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/stats/student_t.h"

namespace huddle::core {

Result<SampleSummary> Summarize(std::span<const double> values, double confidence) {
  if (values.empty()) return Fail("cannot summarize an empty sample");
  if (!(confidence > 0.0 && confidence < 1.0)) {
    return Fail("confidence must be in (0, 1), got " + std::to_string(confidence));
  }
  SampleSummary summary;
  summary.n = values.size();
  summary.confidence = confidence;
  double sum = 0.0;
  for (double v : values) {
    if (!std::isfinite(v)) return Fail("cannot summarize a non-finite value");
    sum += v;
  }
  const double n = static_cast<double>(summary.n);
  summary.mean = sum / n;
  if (summary.n == 1) {
    summary.ci_half_width = std::numeric_limits<double>::infinity();
    return summary;
  }
  // Two passes: the centred sum of squares does not cancel catastrophically.
  double squares = 0.0;
  for (double v : values) squares += (v - summary.mean) * (v - summary.mean);
  summary.stddev = std::sqrt(squares / (n - 1.0));
  const double critical = StudentTQuantile(0.5 * (1.0 + confidence), n - 1.0);
  summary.ci_half_width = critical * summary.stddev / std::sqrt(n);
  return summary;
}

Result<WelchResult> WelchTTest(const SampleSummary& a, const SampleSummary& b) {
  if (a.n < 2 || b.n < 2) return Fail("Welch's t-test needs at least two values per sample");
  WelchResult result;
  result.mean_difference = a.mean - b.mean;
  const double na = static_cast<double>(a.n);
  const double nb = static_cast<double>(b.n);
  const double sa = a.stddev * a.stddev / na;  // squared standard error of each mean
  const double sb = b.stddev * b.stddev / nb;
  const double se2 = sa + sb;
  if (se2 == 0.0) {
    result.df = na + nb - 2.0;
    if (result.mean_difference == 0.0) {
      result.t = 0.0;
      result.p_value = 1.0;
    } else {
      result.t = std::copysign(std::numeric_limits<double>::infinity(), result.mean_difference);
      result.p_value = 0.0;
    }
    return result;
  }
  result.t = result.mean_difference / std::sqrt(se2);
  result.df = se2 * se2 / (sa * sa / (na - 1.0) + sb * sb / (nb - 1.0));
  result.p_value = StudentTTwoSidedP(result.t, result.df);
  return result;
}

Result<WelchResult> WelchTTest(std::span<const double> a, std::span<const double> b) {
  auto summary_a = Summarize(a);
  if (!summary_a) return std::unexpected(summary_a.error());
  auto summary_b = Summarize(b);
  if (!summary_b) return std::unexpected(summary_b.error());
  return WelchTTest(*summary_a, *summary_b);
}

double QuantileOfSorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return 0.0;
  q = std::isnan(q) ? 0.0 : std::clamp(q, 0.0, 1.0);
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<size_t>(std::floor(h));
  if (below + 1 >= sorted.size()) return sorted.back();
  const double fraction = h - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

std::vector<double> ExactQuantiles(std::span<const double> values, std::span<const double> qs) {
  std::vector<double> sorted(values.begin(), values.end());
  std::erase_if(sorted, [](double v) { return std::isnan(v); });  // NaN has no order
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> out;
  out.reserve(qs.size());
  for (double q : qs) out.push_back(QuantileOfSorted(sorted, q));
  return out;
}

}  // namespace huddle::core
