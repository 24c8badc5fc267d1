#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "core/metrics/node_metrics.h"

namespace huddle::core {

// Turns a backend's smoothed metrics into a spare capacity in [0, 1] (1 = idle, 0 = saturated),
// following Akka's CapacityMetricsSelector family (akka.cluster.metrics.MetricsSelector):
//   cpu:  1 - (cpu + 1.3 * cpu_stolen), or 0 when that load is >= 1. A missing cpu_stolen counts
//         as 0 (Akka needs both; many probes cannot see steal time).
//   heap: (memory_max - memory_used) / memory_max. Needs both, and memory_max > 0.
//   load: 1 - min(1, load_average / processors). Needs both, and processors > 0.
//   mix:  the mean of those of cpu, heap and load that have a value (Akka's default selector).
// A selector without the inputs it needs returns nullopt: the backend "has no metrics" for it.
// Stateless and thread-compatible.
class CapacitySelector {
 public:
  enum class Kind : uint8_t { kMix, kCpu, kHeap, kLoad };

  explicit CapacitySelector(Kind kind) : kind_(kind) {}

  // "mix", "cpu", "heap" or "load".
  static Result<Kind> Parse(std::string_view name);
  static std::string_view Name(Kind kind);

  std::optional<double> Capacity(const NodeMetrics& m) const;
  Kind kind() const { return kind_; }

  static std::optional<double> Cpu(const NodeMetrics& m);
  static std::optional<double> Heap(const NodeMetrics& m);
  static std::optional<double> Load(const NodeMetrics& m);
  static std::optional<double> Mix(const NodeMetrics& m);

  // Akka's CpuMetricsSelector.factor: stolen time weighs 1.3 times as much as own CPU use, since
  // it signals a noisy neighbour that will keep taking cycles.
  static constexpr double kStolenFactor = 0.3;

 private:
  Kind kind_;
};

}  // namespace huddle::core
