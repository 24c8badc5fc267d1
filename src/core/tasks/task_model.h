#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/tasks/hardware_profile.h"
#include "core/time.h"

namespace huddle::core {

// Descriptions of workers and tasks shared by the migration planner, the scheduler and the
// migration protocol. Plain values: the task service fills them from registrations and
// heartbeats. Utilisation values are fractions in [0, 1].

using WorkerId = uint32_t;
using TaskId = uint64_t;

// One heartbeat's resource usage, each a fraction in [0, 1].
struct WorkerUsage {
  double cpu = 0.0;
  double memory = 0.0;
  double gpu_memory = 0.0;  // 0 when the worker has no GPU or reports none
};

// The seed's utilisation: mean of CPU and memory, and of GPU memory too when it is above 0.
double Utilisation(const WorkerUsage& usage);

struct WorkerInfo {
  WorkerId id = 0;
  HardwareSet hardware{HardwareType::kCpu};   // every family the worker offers
  HardwareType primary = HardwareType::kCpu;  // the profile used for speed, energy and heat
  int cores = 1;
  double memory_gb = 0.0;            // total
  double memory_available_gb = 0.0;  // free now
  double cuda_compute = 0.0;         // CUDA compute capability (8.6 ...); 0 when none
  bool active = true;                // registered, healthy and accepting tasks
  double utilisation = 0.0;          // latest, [0, 1]
  int running_tasks = 0;
  int max_tasks = 0;  // task slots; 0 means one per core

  int slots() const { return max_tasks > 0 ? max_tasks : cores; }
};

struct TaskRequirements {
  HardwareSet hardware;  // the task runs on any one of these; empty = anywhere
  std::optional<HardwareType> preferred_hardware;
  double memory_gb = 0.0;
  double min_cuda_compute = 0.0;  // > 0 requires a CUDA worker with at least this capability
  int priority = 1;               // higher is more important (and costlier to move)
  Duration expected_duration{};
  double state_size_mb = 0.0;    // state that moves with the task
  bool power_efficient = false;  // prefers energy-efficient hardware
};

// A task that is running on a worker, as the planner sees it.
struct RunningTask {
  TaskId id = 0;
  std::string kind;  // groups similar tasks for the learned migration history
  TaskRequirements requirements;
  WorkerId worker = 0;
  TimePoint started{};
  double load_share = 0.0;  // utilisation this task adds to its worker (e.g. 1 / cores)
  bool migrating = false;   // a migration of this task is already in flight
};

// True when `worker` is active and meets the task's hardware, memory and CUDA requirements.
bool CanHost(const WorkerInfo& worker, const TaskRequirements& requirements);

}  // namespace huddle::core
