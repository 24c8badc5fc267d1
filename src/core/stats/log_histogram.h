#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"

namespace huddle::core {

// A fixed-size histogram of non-negative values (latencies in ms, ns, ...) with logarithmically
// growing buckets, giving quantiles with a bounded *relative* error (the DDSketch mapping:
// Masson, Rim, Lee, "DDSketch", VLDB 2019).
//
// Accuracy bound: with relative error e, buckets grow by gamma = (1 + e) / (1 - e) (about
// 1 + 2e). Bucket i >= 1 covers (min_value * gamma^(i-1), min_value * gamma^i] and reports
// 2 * min_value * gamma^i / (gamma + 1), which is within relative error e of every value in the
// bucket. Quantile(q) therefore returns a value within relative error e of the exact order
// statistic x_(k), k = floor(q * (n - 1)) (0-based, the "lower" rule), for every value inside
// [min_value, max_value]. The extremes (k = 0 and k = n - 1) are exact, and other estimates are
// clamped to the exact [Min(), Max()].
//
// Out of range: values below min_value (including 0) share bucket 0, reported as min_value;
// values above max_value are counted in the last bucket. Such values keep the exact Count, Mean,
// Min and Max, but their quantile estimates are only known to lie at the edge of the range.
// Negative values are recorded as 0; NaN is ignored.
//
// Memory: one uint64 per bucket, allocated at construction; the defaults (1e-3 .. 1e6, e = 1 %)
// give 1038 buckets (about 8 KiB). Record() and Quantile() never allocate. Copyable value type;
// not thread-safe (one writer, or merge per-thread copies).
class LogHistogram {
 public:
  struct Options {
    double min_value = 1e-3;       // smallest value resolved to relative error (e.g. 1 us in ms)
    double max_value = 1e6;        // largest value resolved (e.g. about 17 min in ms)
    double relative_error = 0.01;  // e in (0, 0.5]
  };

  // Validates: 0 < min_value < max_value, both finite; 0 < relative_error <= 0.5; at most
  // 1'000'000 buckets.
  static Result<LogHistogram> Make(const Options& options);
  // REQUIRES: options valid (see Make). The default options are valid.
  explicit LogHistogram(const Options& options);
  LogHistogram() : LogHistogram(Options{}) {}

  // O(1), no allocation: one logarithm and an increment.
  void Record(double value) { RecordN(value, 1); }
  void RecordN(double value, uint64_t count);

  // The estimate of x_(floor(q * (n - 1))), see the accuracy bound above. q is clamped to [0, 1].
  // Returns 0 when empty. O(number of buckets).
  double Quantile(double q) const;

  uint64_t Count() const { return count_; }
  double Sum() const { return sum_; }  // exact sum of recorded (clamped at 0) values
  double Mean() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }
  double Min() const { return count_ == 0 ? 0.0 : min_; }  // exact; 0 when empty
  double Max() const { return count_ == 0 ? 0.0 : max_; }  // exact; 0 when empty

  // Adds other's counts. Fails, changing nothing, unless both have the same options.
  Result<void> Merge(const LogHistogram& other);
  // Empties the histogram; keeps its buckets (no allocation).
  void Reset();

  // The bucket layout, for code that combines several histograms without copying them
  // (WindowedQuantiles). Bucket indexes are in [0, num_buckets()).
  size_t num_buckets() const { return counts_.size(); }
  size_t BucketIndex(double value) const;
  uint64_t BucketCount(size_t index) const { return counts_[index]; }
  double BucketValue(size_t index) const;  // the value reported for the bucket
  const Options& options() const { return options_; }
  bool SameLayout(const LogHistogram& other) const;

 private:
  // Constant after construction.
  Options options_;
  double gamma_;
  double inverse_log_gamma_;
  double representative_factor_;  // 2 * gamma / (gamma + 1)

  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  double sum_ = 0.0;
  double min_ = 0.0;
  double max_ = 0.0;
};

}  // namespace huddle::core
