#include "core/tasks/migration_history.h"

#include <algorithm>

namespace huddle::core {

void MigrationHistory::Record(std::string_view kind, WorkerId target, bool success,
                              Duration downtime) {
  const double cost = success ? std::min(kMaxLearnedCost, std::max(0.0, ToSeconds(downtime)) / 10.0)
                              : kMaxLearnedCost;
  auto it = cost_.find(kind);
  if (it == cost_.end()) it = cost_.emplace(std::string(kind), Ewma(alpha_)).first;
  it->second.Add(cost);
  auto [s, inserted] = success_.try_emplace({target, std::string(kind)}, Ewma(alpha_));
  if (inserted) s->second.Reset(1.0);  // the prior: trusted until it fails
  s->second.Add(success ? 1.0 : 0.0);
  ++recorded_;
}

void MigrationHistory::ForgetWorker(WorkerId worker) {
  std::erase_if(success_, [worker](const auto& entry) { return entry.first.first == worker; });
}

double MigrationHistory::LearnedCost(std::string_view kind) const {
  const auto it = cost_.find(kind);
  return it == cost_.end() ? 0.0 : it->second.value();
}

double MigrationHistory::SuccessRate(WorkerId target, std::string_view kind) const {
  const auto it = success_.find({target, std::string(kind)});
  return it == success_.end() ? 1.0 : it->second.value();
}

}  // namespace huddle::core
