#include "core/tasks/task_scheduler.h"

#include <gtest/gtest.h>

#include <vector>

namespace huddle::core {
namespace {

WorkerInfo W(WorkerId id, double util, HardwareType primary = HardwareType::kCpu) {
  return WorkerInfo{.id = id,
                    .hardware = {HardwareType::kCpu, primary},
                    .primary = primary,
                    .cores = 2,
                    .memory_gb = 16,
                    .memory_available_gb = 16,
                    .utilisation = util};
}

PendingTask P(TaskId id, int priority = 1, double share = 0.3) {
  PendingTask t;
  t.id = id;
  t.requirements.priority = priority;
  t.load_share = share;
  return t;
}

TEST(ScheduleTasksTest, LowestPredictedUtilisationWinsAndBatchesSpread) {
  const std::vector<WorkerInfo> ws = {W(1, 0.5), W(2, 0.1)};
  const std::vector<PendingTask> pending = {P(10), P(11)};
  const auto a = ScheduleTasks(pending, ws);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].worker, 2u);  // 0.1 -> 0.4 after the first task
  EXPECT_EQ(a[1].worker, 2u);  // 0.4 < 0.5
  const std::vector<PendingTask> three = {P(10), P(11), P(12)};
  const auto b = ScheduleTasks(three, std::vector<WorkerInfo>{W(1, 0.5), W(2, 0.1), W(3, 0.9)});
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[2].worker, 1u);  // 0.5 < 0.7 (worker 2 after two tasks)
}

TEST(ScheduleTasksTest, UsesPredictedUtilisationWhenGiven) {
  const std::vector<WorkerInfo> ws = {W(1, 0.5), W(2, 0.1)};
  const std::vector<double> predicted = {0.2, 0.9};  // worker 2 is about to be busy
  const std::vector<PendingTask> pending = {P(10)};
  EXPECT_EQ(ScheduleTasks(pending, ws, predicted).at(0).worker, 1u);
}

TEST(ScheduleTasksTest, HigherPriorityFirstAndSlotsAreLimited) {
  std::vector<WorkerInfo> ws = {W(1, 0.1)};
  ws[0].max_tasks = 1;
  const std::vector<PendingTask> pending = {P(10, 1), P(11, 5)};
  const auto a = ScheduleTasks(pending, ws);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].task, 11u);
}

TEST(ScheduleTasksTest, PreferredWorkerFirstIfItQualifies) {
  const std::vector<WorkerInfo> ws = {W(1, 0.1), W(2, 0.6)};
  PendingTask t = P(10);
  t.preferred_worker = 2;
  EXPECT_EQ(ScheduleTasks(std::vector<PendingTask>{t}, ws).at(0).worker, 2u);
  t.requirements.memory_gb = 32;  // the preferred worker cannot host it: nobody can
  EXPECT_TRUE(ScheduleTasks(std::vector<PendingTask>{t}, ws).empty());
}

TEST(ScheduleTasksTest, HardwareMemoryAndTiesByPerformance) {
  const std::vector<WorkerInfo> ws = {W(1, 0.2), W(2, 0.2, HardwareType::kCuda),
                                      W(3, 0.2, HardwareType::kRocm)};
  const std::vector<PendingTask> any = {P(10)};
  EXPECT_EQ(ScheduleTasks(any, ws).at(0).worker, 2u);  // CUDA's weight 3.0 breaks the tie
  PendingTask rocm = P(11);
  rocm.requirements.hardware = {HardwareType::kRocm};
  EXPECT_EQ(ScheduleTasks(std::vector<PendingTask>{rocm}, ws).at(0).worker, 3u);
  // Memory is used up by the batch: two 10 GB tasks cannot share a 16 GB worker.
  PendingTask big1 = P(12, 1, 0.0);
  big1.requirements.memory_gb = 10;
  big1.requirements.hardware = {HardwareType::kCuda};
  PendingTask big2 = big1;
  big2.id = 13;
  const auto a = ScheduleTasks(std::vector<PendingTask>{big1, big2}, ws);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].task, 12u);
}

}  // namespace
}  // namespace huddle::core
