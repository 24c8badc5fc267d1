#include "core/tasks/task_scheduler.h"

#include <algorithm>
#include <numeric>

namespace huddle::core {

std::vector<TaskAssignment> ScheduleTasks(std::span<const PendingTask> pending,
                                          std::span<const WorkerInfo> workers,
                                          std::span<const double> predicted_utilisation) {
  std::vector<TaskAssignment> out;
  const size_t n = workers.size();
  std::vector<WorkerInfo> projected(workers.begin(), workers.end());
  for (size_t i = 0; i < n; ++i) {
    if (predicted_utilisation.size() == n) projected[i].utilisation = predicted_utilisation[i];
  }
  std::vector<size_t> order(pending.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return pending[a].requirements.priority > pending[b].requirements.priority;
  });

  auto qualifies = [&](const WorkerInfo& w, const PendingTask& t) {
    return CanHost(w, t.requirements) && w.running_tasks < w.slots();
  };
  for (size_t k : order) {
    const PendingTask& task = pending[k];
    WorkerInfo* best = nullptr;
    if (task.preferred_worker) {
      for (WorkerInfo& w : projected) {
        if (w.id == *task.preferred_worker && qualifies(w, task)) best = &w;
      }
    }
    if (best == nullptr) {
      for (WorkerInfo& w : projected) {
        if (!qualifies(w, task)) continue;
        if (best == nullptr) {
          best = &w;
          continue;
        }
        const double pw = DefaultHardwareProfile(w.primary).performance_weight;
        const double pb = DefaultHardwareProfile(best->primary).performance_weight;
        if (w.utilisation < best->utilisation ||
            (w.utilisation == best->utilisation && (pw > pb || (pw == pb && w.id < best->id)))) {
          best = &w;
        }
      }
    }
    if (best == nullptr) continue;
    out.push_back({task.id, best->id});
    best->utilisation += task.load_share;
    best->memory_available_gb -= task.requirements.memory_gb;
    ++best->running_tasks;
  }
  return out;
}

}  // namespace huddle::core
