#include "core/metrics/node_metrics_store.h"

#include <cmath>
#include <string>

namespace huddle::core {
namespace {

// The report fields the store smooths, and where each lands in NodeMetrics; same order.
constexpr double BackendMetrics::*kReportFields[] = {
    &BackendMetrics::cpu,
    &BackendMetrics::cpu_stolen,
    &BackendMetrics::memory_used_bytes,
    &BackendMetrics::memory_max_bytes,
    &BackendMetrics::load_average,
    &BackendMetrics::processors,
};
constexpr std::optional<double> NodeMetrics::*kSmoothedFields[] = {
    &NodeMetrics::cpu,
    &NodeMetrics::cpu_stolen,
    &NodeMetrics::memory_used_bytes,
    &NodeMetrics::memory_max_bytes,
    &NodeMetrics::load_average,
    &NodeMetrics::processors,
};

}  // namespace

NodeMetricsStore::Slot::Slot(double alpha)
    : fields{Ewma(alpha), Ewma(alpha), Ewma(alpha), Ewma(alpha), Ewma(alpha), Ewma(alpha)} {
  static_assert(std::size(kReportFields) == kFieldCount);
  static_assert(std::size(kSmoothedFields) == kFieldCount);
}

NodeMetricsStore::NodeMetricsStore(const Options& options)
    : alpha_(Ewma::AlphaFromHalfLife(options.sample_interval, options.half_life)) {}

Result<NodeMetricsStore> NodeMetricsStore::Make(const Options& options) {
  if (options.sample_interval <= Duration::zero()) {
    return Fail("metrics store: sample_interval must be positive");
  }
  if (options.half_life <= Duration::zero()) {
    return Fail("metrics store: half_life must be positive");
  }
  return NodeMetricsStore(options);
}

void NodeMetricsStore::Reserve(uint32_t slots) {
  if (slots > slots_.size()) slots_.resize(slots, Slot(alpha_));
}

bool NodeMetricsStore::Record(BackendIndex b, const BackendMetrics& report) {
  if (b >= slots_.size()) slots_.resize(static_cast<size_t>(b) + 1, Slot(alpha_));
  Slot& slot = slots_[b];
  // Akka's NodeMetrics.update keeps the sample with the newer timestamp. Equal timestamps are
  // duplicates (the same report gossiped twice) and must not be averaged in a second time.
  if (slot.known && report.timestamp <= slot.timestamp) {
    ++stale_reports_;
    return false;
  }
  slot.known = true;
  slot.timestamp = report.timestamp;
  ++accepted_reports_;
  for (size_t f = 0; f < kFieldCount; ++f) {
    const double sample = report.*kReportFields[f];
    if (std::isnan(sample)) {
      ++missing_samples_;
      continue;
    }
    // Akka's Metric.create drops negative, NaN and infinite values: none is a load.
    if (sample < 0.0 || std::isinf(sample)) {
      ++invalid_samples_;
      continue;
    }
    slot.fields[f].Add(sample);
  }
  return true;
}

void NodeMetricsStore::Remove(BackendIndex b) {
  if (b < slots_.size()) slots_[b] = Slot(alpha_);
}

NodeMetrics NodeMetricsStore::Get(BackendIndex b) const {
  NodeMetrics out;
  if (!Has(b)) return out;
  const Slot& slot = slots_[b];
  for (size_t f = 0; f < kFieldCount; ++f) {
    if (slot.fields[f].has_value()) out.*kSmoothedFields[f] = slot.fields[f].value();
  }
  return out;
}

}  // namespace huddle::core
