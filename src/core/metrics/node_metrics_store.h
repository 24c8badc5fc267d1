#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/backend.h"
#include "core/error.h"
#include "core/metrics/node_metrics.h"
#include "core/stats/ewma.h"
#include "core/time.h"

namespace huddle::core {

// Per-backend load reports, smoothed the way Akka's cluster metrics smooth them.
//
// Contract: Record() folds a BackendMetrics report into the backend's state when its timestamp
// is strictly newer than the last accepted one (older or equal reports are ignored and counted,
// so reordered gossip cannot roll a backend back). Within an accepted report each field is
// checked on its own: NaN (not measured) and negative or infinite values (invalid) are dropped
// and counted, and the field keeps its previous smoothed value. Every valid field feeds its own
// EWMA with alpha = 1 - exp(-ln 2 * sample_interval / half_life); the first valid sample sets the
// value. Defaults follow Akka: sample interval 3 s, half-life 12 s.
// Not thread-safe. Record() may allocate when it sees a backend index beyond Reserve()d slots.
class NodeMetricsStore {
 public:
  struct Options {
    Duration sample_interval = FromSeconds(3);
    Duration half_life = FromSeconds(12);
  };

  // REQUIRES: both durations > 0 (use Make() for untrusted input).
  explicit NodeMetricsStore(const Options& options);
  static Result<NodeMetricsStore> Make(const Options& options);

  // Makes room for backends [0, slots) so that Record() does not allocate for them.
  void Reserve(uint32_t slots);

  // Returns true when the report was newer than the last accepted one and was applied.
  bool Record(BackendIndex b, const BackendMetrics& report);

  // Forgets everything about `b` (it left the cluster); a later report starts afresh.
  void Remove(BackendIndex b);

  // True once a report for `b` has been accepted (even if all its fields were dropped).
  bool Has(BackendIndex b) const { return b < slots_.size() && slots_[b].known; }
  // The smoothed values of `b`; all nullopt when nothing valid is known.
  NodeMetrics Get(BackendIndex b) const;
  // Timestamp of the last accepted report. REQUIRES: Has(b).
  TimePoint timestamp(BackendIndex b) const { return slots_[b].timestamp; }

  double alpha() const { return alpha_; }
  uint64_t accepted_reports() const { return accepted_reports_; }
  // Reports whose timestamp was not newer than the last accepted one.
  uint64_t stale_reports() const { return stale_reports_; }
  // Fields dropped because they were NaN (not measured, or a 0/0 from a broken probe).
  uint64_t missing_samples() const { return missing_samples_; }
  // Fields dropped because they were negative or infinite.
  uint64_t invalid_samples() const { return invalid_samples_; }

 private:
  static constexpr size_t kFieldCount = 6;

  struct Slot {
    explicit Slot(double alpha);
    bool known = false;
    TimePoint timestamp{};
    std::array<Ewma, kFieldCount> fields;
  };

  // Constant after construction.
  double alpha_;

  std::vector<Slot> slots_;  // indexed by BackendIndex
  uint64_t accepted_reports_ = 0;
  uint64_t stale_reports_ = 0;
  uint64_t missing_samples_ = 0;
  uint64_t invalid_samples_ = 0;
};

}  // namespace huddle::core
