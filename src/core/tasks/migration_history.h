#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "core/stats/ewma.h"
#include "core/tasks/task_model.h"

namespace huddle::core {

// What the planner has learned from finished migrations, by exponential moving average (the
// seed's text; its code never writes these histories):
// - learned cost per task kind: each outcome adds min(3, downtime_s / 10) for a success and 3
//   for a failure, so kinds that move slowly or badly cost more to move again (0 when unknown);
// - success rate per (target worker, task kind): 1 for a success, 0 for a failure (1 when
//   unknown, so a worker is trusted until it fails).
// Not thread-safe.
class MigrationHistory {
 public:
  static constexpr double kMaxLearnedCost = 3.0;

  // REQUIRES: 0 < alpha <= 1.
  explicit MigrationHistory(double alpha = 0.3) : alpha_(alpha) {}

  void Record(std::string_view kind, WorkerId target, bool success, Duration downtime);
  void ForgetWorker(WorkerId worker);

  double LearnedCost(std::string_view kind) const;
  double SuccessRate(WorkerId target, std::string_view kind) const;
  size_t recorded() const { return recorded_; }

 private:
  double alpha_;
  std::map<std::string, Ewma, std::less<>> cost_;
  std::map<std::pair<WorkerId, std::string>, Ewma> success_;
  size_t recorded_ = 0;
};

}  // namespace huddle::core
