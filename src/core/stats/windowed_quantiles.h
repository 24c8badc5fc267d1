#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/stats/log_histogram.h"
#include "core/time.h"

namespace huddle::core {

// Quantiles over a sliding time window: a ring of K LogHistograms ("slots"), each covering
// window / K of time. Slot boundaries are fixed multiples of window / K since TimePoint{}; a
// ring position is emptied when a sample first arrives for its next turn. A query at `now` sees the
// slot holding `now` and the K - 1 before it, i.e. between window - window / K and window of
// history (the window is quantized to slots; more slots = smoother, more memory).
//
// Accuracy: that of LogHistogram (relative error e of the lower order statistic among the
// samples in view). Time going backwards is tolerated: a sample or query older than the newest
// Record() is treated as happening at that newest time.
//
// Memory: K histograms, allocated at construction. Record() never allocates (about 18 ns);
// Quantile() walks K * buckets counters without allocating (about 2 us for K = 10 with the
// default 1038 buckets, 20 us for K = 60: query per tick, not per request). Not thread-safe
// (queries are const and may run concurrently with each other, not with Record()).
class WindowedQuantiles {
 public:
  struct Options {
    Duration window = std::chrono::seconds(10);
    size_t slots = 10;  // K >= 1
    LogHistogram::Options histogram;
  };

  // Validates: window >= slots nanoseconds, 1 <= slots <= 1000, histogram options (see
  // LogHistogram::Make).
  static Result<WindowedQuantiles> Make(const Options& options);
  // REQUIRES: options valid (see Make).
  explicit WindowedQuantiles(const Options& options);

  void Record(double value, TimePoint now);

  // Estimate of the lower order statistic x_(floor(q * (n - 1))) over the samples in the
  // window at `now`; 0 when the window is empty. q is clamped to [0, 1].
  double Quantile(double q, TimePoint now) const;
  uint64_t Count(TimePoint now) const;
  double Mean(TimePoint now) const;  // exact; 0 when empty
  double Min(TimePoint now) const;   // exact; 0 when empty
  double Max(TimePoint now) const;   // exact; 0 when empty
  // Replaces `out`'s contents with the window's samples. Does not allocate. Fails, changing
  // nothing, if `out` has other histogram options.
  Result<void> CopyTo(LogHistogram& out, TimePoint now) const;

  Duration slot_width() const { return slot_width_; }
  const Options& options() const { return options_; }

 private:
  // The slot number of `now`, never older than the newest seen: floor(now / slot_width).
  int64_t SlotNumber(TimePoint now) const;
  // True when ring position i holds samples inside the window ending in slot number `current`.
  bool InWindow(size_t i, int64_t current) const;

  // Constant after construction.
  Options options_;
  Duration slot_width_;

  std::vector<LogHistogram> slots_;    // slot number s lives at position s mod K
  std::vector<int64_t> slot_numbers_;  // which slot number each position holds
  int64_t newest_slot_;                // slot number of the newest Record()
};

}  // namespace huddle::core
