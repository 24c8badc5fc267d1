#include "core/stats/log_histogram.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace huddle::core {
namespace {

constexpr double kMaxBuckets = 1'000'000.0;

double Gamma(double relative_error) { return (1.0 + relative_error) / (1.0 - relative_error); }

// Bucket 0 holds values <= min_value; buckets 1..m cover (min * gamma^(i-1), min * gamma^i] up to
// the first upper bound >= max_value.
double BucketsFor(const LogHistogram::Options& options) {
  return 1.0 + std::ceil(std::log(options.max_value / options.min_value) /
                         std::log(Gamma(options.relative_error)));
}

}  // namespace

Result<LogHistogram> LogHistogram::Make(const Options& options) {
  if (!(std::isfinite(options.min_value) && std::isfinite(options.max_value) &&
        options.min_value > 0.0 && options.max_value > options.min_value)) {
    return Fail("histogram range must satisfy 0 < min_value < max_value, got [" +
                std::to_string(options.min_value) + ", " + std::to_string(options.max_value) + "]");
  }
  if (!(options.relative_error > 0.0 && options.relative_error <= 0.5)) {
    return Fail("histogram relative_error must be in (0, 0.5], got " +
                std::to_string(options.relative_error));
  }
  if (!(BucketsFor(options) <= kMaxBuckets)) {
    return Fail(
        "histogram would need more than 1000000 buckets; widen relative_error or narrow "
        "the range");
  }
  return LogHistogram(options);
}

LogHistogram::LogHistogram(const Options& options)
    : options_(options),
      gamma_(Gamma(options.relative_error)),
      inverse_log_gamma_(1.0 / std::log(gamma_)),
      representative_factor_(2.0 * gamma_ / (gamma_ + 1.0)),
      counts_(static_cast<size_t>(BucketsFor(options)), 0) {}

size_t LogHistogram::BucketIndex(double value) const {
  if (!(value > options_.min_value)) return 0;
  const double raw = std::ceil(std::log(value / options_.min_value) * inverse_log_gamma_);
  const double last = static_cast<double>(counts_.size() - 1);
  return static_cast<size_t>(std::clamp(raw, 1.0, last));
}

double LogHistogram::BucketValue(size_t index) const {
  if (index == 0) return options_.min_value;
  // Upper bound min * gamma^i times 2 / (gamma + 1): the point of equal relative error to both
  // bucket ends.
  return options_.min_value * std::pow(gamma_, static_cast<double>(index - 1)) *
         representative_factor_;
}

void LogHistogram::RecordN(double value, uint64_t count) {
  if (std::isnan(value) || count == 0) return;
  value = std::max(value, 0.0);
  counts_[BucketIndex(value)] += count;
  if (count_ == 0) {
    min_ = value;
    max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  count_ += count;
  sum_ += value * static_cast<double>(count);
}

double LogHistogram::Quantile(double q) const {
  if (count_ == 0) return 0.0;
  q = std::isnan(q) ? 0.0 : std::clamp(q, 0.0, 1.0);
  const auto rank = static_cast<uint64_t>(std::floor(q * static_cast<double>(count_ - 1)));
  // The extreme order statistics are known exactly.
  if (rank == 0) return min_;
  if (rank == count_ - 1) return max_;
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen > rank) return std::clamp(BucketValue(i), min_, max_);
  }
  return max_;  // not reached: the counts sum to count_
}

bool LogHistogram::SameLayout(const LogHistogram& other) const {
  return options_.min_value == other.options_.min_value &&
         options_.max_value == other.options_.max_value &&
         options_.relative_error == other.options_.relative_error;
}

Result<void> LogHistogram::Merge(const LogHistogram& other) {
  if (!SameLayout(other)) return Fail("cannot merge histograms with different options");
  if (other.count_ == 0) return {};
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = count_ == 0 ? other.max_ : std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
  return {};
}

void LogHistogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  sum_ = 0.0;
  min_ = 0.0;
  max_ = 0.0;
}

}  // namespace huddle::core
