#pragma once

#include <optional>
#include <span>
#include <vector>

#include "core/tasks/task_model.h"

namespace huddle::core {

// A task waiting for a worker.
struct PendingTask {
  TaskId id = 0;
  TaskRequirements requirements;
  double load_share = 0.0;  // utilisation it is expected to add to the worker it lands on
  std::optional<WorkerId> preferred_worker;  // set when a migration requeued it for a target
};

struct TaskAssignment {
  TaskId task = 0;
  WorkerId worker = 0;
};

// Assigns pending tasks to workers that can host them (CanHost and a free task slot), by
// predicted utilisation: tasks in order of priority (highest first; queue order among equals);
// each goes to its preferred worker if that one qualifies, otherwise to the qualifying worker
// with the lowest projected utilisation (ties: faster hardware profile, then lower id). Each
// assignment adds the task's load share, memory and slot to its worker's projection, so one call
// spreads a batch. `predicted_utilisation[i]` belongs to workers[i]; when it is empty the
// workers' current utilisation is used. Tasks no worker can take stay unassigned.
// REQUIRES: predicted_utilisation is empty or has workers.size() entries.
std::vector<TaskAssignment> ScheduleTasks(std::span<const PendingTask> pending,
                                          std::span<const WorkerInfo> workers,
                                          std::span<const double> predicted_utilisation = {});

}  // namespace huddle::core
