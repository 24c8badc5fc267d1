#include "core/tasks/task_model.h"

namespace huddle::core {

double Utilisation(const WorkerUsage& usage) {
  if (usage.gpu_memory > 0.0) return (usage.cpu + usage.memory + usage.gpu_memory) / 3.0;
  return (usage.cpu + usage.memory) / 2.0;
}

bool CanHost(const WorkerInfo& worker, const TaskRequirements& requirements) {
  if (!worker.active) return false;
  if (!requirements.hardware.Empty() && !requirements.hardware.Intersects(worker.hardware)) {
    return false;
  }
  if (requirements.memory_gb > worker.memory_available_gb) return false;
  if (requirements.min_cuda_compute > 0.0) {
    if (!worker.hardware.Has(HardwareType::kCuda)) return false;
    if (worker.cuda_compute < requirements.min_cuda_compute) return false;
  }
  return true;
}

}  // namespace huddle::core
