#pragma once

#include <optional>

namespace huddle::core {

// The smoothed load of one backend as NodeMetricsStore holds it: each field is the EWMA of the
// valid samples reported so far, or nullopt when no valid sample has arrived. Units as in
// BackendMetrics (core/backend.h): cpu and cpu_stolen as fractions of the machine, memory in
// bytes, load_average as the OS reports it, processors as a count.
struct NodeMetrics {
  std::optional<double> cpu;
  std::optional<double> cpu_stolen;
  std::optional<double> memory_used_bytes;
  std::optional<double> memory_max_bytes;
  std::optional<double> load_average;
  std::optional<double> processors;
};

}  // namespace huddle::core
