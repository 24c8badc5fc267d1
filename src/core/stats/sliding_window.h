#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace huddle::core {

// The last `capacity` samples of a stream (a ring buffer of doubles), with their mean, median,
// quantiles, min and max; e.g. the thermal model's 10-latency window per server and its
// 20-entry cluster P95 history. Once full, each Add() overwrites the oldest sample.
//
// Memory: the ring and a scratch buffer of `capacity` doubles each, allocated at construction;
// nothing allocates afterwards. Queries are O(capacity), meant for small windows. Median() and
// Quantile() sort into the scratch buffer, so even const use is not thread-safe: one thread per
// window. Queries on an empty window return 0.
class SlidingWindow {
 public:
  // REQUIRES: capacity >= 1.
  explicit SlidingWindow(size_t capacity)
      : samples_(std::max<size_t>(capacity, 1)), scratch_(samples_.size()) {}

  // NaN is ignored (it has no order for the median).
  void Add(double sample) {
    if (std::isnan(sample)) return;
    samples_[next_] = sample;
    next_ = next_ + 1 == samples_.size() ? 0 : next_ + 1;
    size_ = std::min(size_ + 1, samples_.size());
  }
  void Clear() {
    size_ = 0;
    next_ = 0;
  }

  size_t size() const { return size_; }
  size_t capacity() const { return samples_.size(); }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == samples_.size(); }

  // The i-th sample held, 0 = oldest. REQUIRES: i < size().
  double At(size_t i) const {
    const size_t start = full() ? next_ : 0;
    const size_t index = start + i;
    return samples_[index >= samples_.size() ? index - samples_.size() : index];
  }
  double Latest() const { return empty() ? 0.0 : At(size_ - 1); }

  // Summed afresh on each call, so no rounding drift accumulates across overwrites.
  double Mean() const {
    if (empty()) return 0.0;
    double sum = 0.0;
    for (size_t i = 0; i < size_; ++i) sum += samples_[i];
    return sum / static_cast<double>(size_);
  }
  double Min() const {
    return empty() ? 0.0
                   : *std::min_element(samples_.begin(),
                                       samples_.begin() + static_cast<std::ptrdiff_t>(size_));
  }
  double Max() const {
    return empty() ? 0.0
                   : *std::max_element(samples_.begin(),
                                       samples_.begin() + static_cast<std::ptrdiff_t>(size_));
  }
  // Linear interpolation between order statistics (type 7, as QuantileOfSorted in summary.h):
  // h = q (n - 1), x[floor h] + frac(h) (x[floor h + 1] - x[floor h]). q is clamped to [0, 1].
  double Quantile(double q) const {
    if (empty()) return 0.0;
    q = std::isnan(q) ? 0.0 : std::clamp(q, 0.0, 1.0);
    const auto begin = scratch_.begin();
    const auto end = begin + static_cast<std::ptrdiff_t>(size_);
    std::copy(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(size_), begin);
    std::sort(begin, end);
    const double h = q * static_cast<double>(size_ - 1);
    const auto below = static_cast<size_t>(std::floor(h));
    if (below + 1 >= size_) return scratch_[size_ - 1];
    return scratch_[below] +
           (h - static_cast<double>(below)) * (scratch_[below + 1] - scratch_[below]);
  }
  // The middle sample, or the mean of the two middle samples when size() is even.
  double Median() const { return Quantile(0.5); }

 private:
  std::vector<double> samples_;  // ring; while not full, samples_[0, size_) oldest first
  mutable std::vector<double> scratch_;
  size_t next_ = 0;  // where the next sample goes
  size_t size_ = 0;
};

}  // namespace huddle::core
