#pragma once

#include <cstdint>

#include "core/tasks/task_model.h"

namespace huddle::taskd {

// Where a worker's heartbeat utilisation comes from.
enum class UsageSource {
  kModel,   // from its tasks: busy cores / cores and requested memory / memory (reproducible;
            // the right choice when several emulated workers share one machine)
  kSystem,  // from the machine: /proc/stat CPU time between two reads and /proc/meminfo
};

// Reads the machine's CPU and memory use for UsageSource::kSystem. CPU is the busy share of all
// CPUs since the previous Read() (0 on the first). Not thread-safe.
class UsageProbe {
 public:
  core::WorkerUsage Read();

 private:
  uint64_t last_total_ = 0;
  uint64_t last_idle_ = 0;
};

}  // namespace huddle::taskd
