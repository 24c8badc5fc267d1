#include "core/metrics/capacity_selector.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace huddle::core {
namespace {

// Inputs come out of the store (finite, non-negative), but a capacity must stay in [0, 1] even
// when used > max or cpu > 1, and must never be NaN.
std::optional<double> Clamped(double c) {
  if (std::isnan(c)) return std::nullopt;
  return std::clamp(c, 0.0, 1.0);
}

}  // namespace

Result<CapacitySelector::Kind> CapacitySelector::Parse(std::string_view name) {
  if (name == "mix") return Kind::kMix;
  if (name == "cpu") return Kind::kCpu;
  if (name == "heap") return Kind::kHeap;
  if (name == "load") return Kind::kLoad;
  return Fail("unknown metrics selector '" + std::string(name) + "' (mix, cpu, heap, load)");
}

std::string_view CapacitySelector::Name(Kind kind) {
  switch (kind) {
    case Kind::kMix:
      return "mix";
    case Kind::kCpu:
      return "cpu";
    case Kind::kHeap:
      return "heap";
    case Kind::kLoad:
      return "load";
  }
  return "mix";
}

std::optional<double> CapacitySelector::Capacity(const NodeMetrics& m) const {
  switch (kind_) {
    case Kind::kMix:
      return Mix(m);
    case Kind::kCpu:
      return Cpu(m);
    case Kind::kHeap:
      return Heap(m);
    case Kind::kLoad:
      return Load(m);
  }
  return std::nullopt;
}

std::optional<double> CapacitySelector::Cpu(const NodeMetrics& m) {
  if (!m.cpu) return std::nullopt;
  const double load = *m.cpu + m.cpu_stolen.value_or(0.0) * (1.0 + kStolenFactor);
  return load >= 1.0 ? 0.0 : Clamped(1.0 - load);
}

std::optional<double> CapacitySelector::Heap(const NodeMetrics& m) {
  // Akka falls back to the committed heap when max is undefined; a backend report has no such
  // field, so no max means no heap capacity.
  if (!m.memory_used_bytes || !m.memory_max_bytes || !(*m.memory_max_bytes > 0.0)) {
    return std::nullopt;
  }
  return Clamped((*m.memory_max_bytes - *m.memory_used_bytes) / *m.memory_max_bytes);
}

std::optional<double> CapacitySelector::Load(const NodeMetrics& m) {
  if (!m.load_average || !m.processors || !(*m.processors > 0.0)) return std::nullopt;
  return Clamped(1.0 - std::min(1.0, *m.load_average / *m.processors));
}

std::optional<double> CapacitySelector::Mix(const NodeMetrics& m) {
  // Akka's MixMetricsSelector: per address, the mean of the selectors that produced a value.
  double sum = 0.0;
  int count = 0;
  for (const std::optional<double>& c : {Heap(m), Cpu(m), Load(m)}) {
    if (c) {
      sum += *c;
      ++count;
    }
  }
  if (count == 0) return std::nullopt;
  return Clamped(sum / count);
}

}  // namespace huddle::core
