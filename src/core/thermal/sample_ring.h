#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace huddle::core {

// The last N values (latency samples in ms) in a ring allocated once at construction. Push is
// O(1) and never allocates; statistics are O(N) and the order statistics sort a caller-provided
// scratch span, so they do not allocate either. Private to the thermal model: a shared
// stats/sliding_window.h was being written at the same time and was not there yet.
// Not thread-safe.
class SampleRing {
 public:
  // REQUIRES: capacity >= 1.
  explicit SampleRing(size_t capacity) : values_(capacity) {}

  void Push(double v) {
    values_[next_] = v;
    next_ = next_ + 1 == values_.size() ? 0 : next_ + 1;
    if (size_ < values_.size()) ++size_;
  }
  void Clear() { size_ = next_ = 0; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return values_.size(); }
  bool full() const { return size_ == values_.size(); }

  // i = 0 is the oldest value kept. REQUIRES: i < size().
  double At(size_t i) const {
    const size_t start = full() ? next_ : 0;
    const size_t j = start + i;
    return values_[j < values_.size() ? j : j - values_.size()];
  }

  // 0 when empty.
  double Mean() const {
    if (size_ == 0) return 0.0;
    double sum = 0.0;
    for (size_t i = 0; i < size_; ++i) sum += values_[i];
    return sum / static_cast<double>(size_);
  }

  // Nearest-rank quantile (the smallest kept value with at least q of the values at or below
  // it), 0 when empty. REQUIRES: 0 < q <= 1, scratch.size() >= size().
  double Quantile(double q, std::span<double> scratch) const {
    if (size_ == 0) return 0.0;
    std::copy_n(values_.begin(), size_, scratch.begin());
    const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(size_)));
    const size_t k = rank == 0 ? 0 : std::min(rank, size_) - 1;
    std::nth_element(scratch.begin(), scratch.begin() + k, scratch.begin() + size_);
    return scratch[k];
  }

 private:
  std::vector<double> values_;
  size_t next_ = 0;
  size_t size_ = 0;
};

// Median of `values` (the mean of the two middle values for an even count), 0 when empty.
// Reorders `values`.
inline double MedianInPlace(std::span<double> values) {
  const size_t n = values.size();
  if (n == 0) return 0.0;
  const auto mid = values.begin() + n / 2;
  std::nth_element(values.begin(), mid, values.end());
  if (n % 2 == 1) return *mid;
  const double upper = *mid;
  const double lower = *std::max_element(values.begin(), mid);
  return (lower + upper) / 2.0;
}

}  // namespace huddle::core
