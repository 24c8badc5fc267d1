#include "core/tasks/task_ledger.h"

#include <algorithm>
#include <string>

namespace huddle::core {
namespace {

bool Terminal(TaskPhase p) {
  return p == TaskPhase::kSucceeded || p == TaskPhase::kFailed || p == TaskPhase::kCancelled;
}

std::string Name(TaskId task) { return "task " + std::to_string(task); }

}  // namespace

Result<void> TaskLedger::Submit(TaskId task) {
  if (tasks_.contains(task)) return Fail(Name(task) + " already exists");
  tasks_[task] = TaskEntry{.id = task};
  return {};
}

Result<TaskCommand> TaskLedger::Assign(TaskId task, WorkerId worker, TimePoint now) {
  const auto it = tasks_.find(task);
  if (it == tasks_.end()) return Fail(Name(task) + " is unknown");
  if (it->second.phase != TaskPhase::kPending) return Fail(Name(task) + " is not pending");
  if (IsLost(worker)) return Fail("worker " + std::to_string(worker) + " is lost");
  return StartOn(it->second, worker, now);
}

Result<TaskCommand> TaskLedger::BeginMigration(TaskId task, WorkerId target, TimePoint now) {
  const auto it = tasks_.find(task);
  if (it == tasks_.end()) return Fail(Name(task) + " is unknown");
  TaskEntry& e = it->second;
  if (e.phase != TaskPhase::kRunning) return Fail(Name(task) + " is not running");
  if (IsLost(target)) return Fail("worker " + std::to_string(target) + " is lost");
  if (*e.worker == target) return Fail(Name(task) + " already runs on the target");
  e.phase = TaskPhase::kStopping;
  e.stop_reason = StopReason::kMigration;
  e.migration_target = target;
  e.migration_source = *e.worker;
  e.migration_began = now;
  e.deadline = now + options_.cancel_timeout;
  e.cancel_resends = 0;
  return TaskCommand{TaskCommand::Kind::kCancel, task, *e.worker, e.attempt};
}

Result<std::vector<TaskCommand>> TaskLedger::Cancel(TaskId task, TimePoint now) {
  const auto it = tasks_.find(task);
  if (it == tasks_.end()) return Fail(Name(task) + " is unknown");
  TaskEntry& e = it->second;
  std::vector<TaskCommand> out;
  switch (e.phase) {
    case TaskPhase::kPending:
      e.phase = TaskPhase::kCancelled;
      e.preferred.reset();
      return out;
    case TaskPhase::kStarting:
    case TaskPhase::kRunning:
      if (e.migration_target) EndMigration(e, MigrationResult::kCancelled);
      e.phase = TaskPhase::kStopping;
      e.stop_reason = StopReason::kUserCancel;
      e.deadline = now + options_.cancel_timeout;
      e.cancel_resends = 0;
      out.push_back({TaskCommand::Kind::kCancel, task, *e.worker, e.attempt});
      return out;
    case TaskPhase::kStopping:
      if (e.migration_target) EndMigration(e, MigrationResult::kCancelled);
      e.stop_reason = StopReason::kUserCancel;  // the Cancel is already on its way
      return out;
    default:
      return Fail(Name(task) + " has already ended");
  }
}

TaskEntry* TaskLedger::Current(TaskId task, WorkerId worker, uint64_t attempt) {
  const auto it = tasks_.find(task);
  if (it == tasks_.end()) return nullptr;
  TaskEntry& e = it->second;
  if (!e.worker || *e.worker != worker || e.attempt != attempt) return nullptr;
  return &e;
}

std::vector<TaskCommand> TaskLedger::OnStarted(TaskId task, WorkerId worker, uint64_t attempt,
                                               TimePoint now) {
  std::vector<TaskCommand> out;
  TaskEntry* e = Current(task, worker, attempt);
  if (e == nullptr) {
    // A copy the ledger did not place on this worker: fence it. (A late report from the current
    // worker's older attempt is harmless and ignored: Cancel is by task id and would stop the
    // current attempt too.)
    const auto it = tasks_.find(task);
    const bool same_worker =
        it != tasks_.end() && it->second.worker && *it->second.worker == worker;
    if (!same_worker) out.push_back({TaskCommand::Kind::kCancel, task, worker, attempt});
    return out;
  }
  e->confirmed = true;
  if (e->phase != TaskPhase::kStarting) return out;  // duplicate, or a stop is on its way
  e->phase = TaskPhase::kRunning;
  if (e->migration_target && *e->migration_target == worker) {
    EndMigration(*e, MigrationResult::kMoved, now - e->migration_began);
  }
  return out;
}

std::vector<TaskCommand> TaskLedger::OnStartRejected(TaskId task, WorkerId worker, uint64_t attempt,
                                                     TimePoint /*now*/) {
  TaskEntry* e = Current(task, worker, attempt);
  if (e == nullptr || e->phase != TaskPhase::kStarting) return {};
  if (e->migration_target) EndMigration(*e, MigrationResult::kTargetRejected);
  Requeue(*e, std::nullopt);
  return {};
}

std::vector<TaskCommand> TaskLedger::OnStopped(TaskId task, WorkerId worker, uint64_t attempt,
                                               TimePoint now) {
  std::vector<TaskCommand> out;
  TaskEntry* e = Current(task, worker, attempt);
  if (e == nullptr) return out;
  if (e->phase == TaskPhase::kRunning) {
    Requeue(*e, std::nullopt);  // it stopped by itself (the worker dropped it)
  } else if (e->phase == TaskPhase::kStopping) {
    AfterStop(*e, now, out);
  }
  // In kStarting a Stopped cannot answer anything we sent for this attempt; ignore it.
  return out;
}

std::vector<TaskCommand> TaskLedger::OnFinished(TaskId task, WorkerId worker, uint64_t attempt,
                                                bool ok, TimePoint /*now*/) {
  TaskEntry* e = Current(task, worker, attempt);
  if (e == nullptr || Terminal(e->phase) || e->phase == TaskPhase::kPending) return {};
  if (e->migration_target) EndMigration(*e, MigrationResult::kFinishedFirst);
  e->phase = ok ? TaskPhase::kSucceeded : TaskPhase::kFailed;
  e->worker.reset();
  e->preferred.reset();
  return {};
}

std::vector<TaskCommand> TaskLedger::OnWorkerLost(WorkerId worker, TimePoint now) {
  std::vector<TaskCommand> out;
  lost_.insert(worker);
  for (auto& [id, e] : tasks_) {
    if (e.preferred && *e.preferred == worker) e.preferred.reset();
    if (!e.worker || *e.worker != worker) continue;
    switch (e.phase) {
      case TaskPhase::kStarting:
        if (e.migration_target) EndMigration(e, MigrationResult::kTargetLost);
        Requeue(e, std::nullopt);
        break;
      case TaskPhase::kRunning:
        Requeue(e, std::nullopt);
        break;
      case TaskPhase::kStopping:
        AfterStop(e, now, out);  // the source is gone, so the task runs nowhere
        break;
      default:
        break;
    }
  }
  return out;
}

std::vector<TaskCommand> TaskLedger::Reconcile(WorkerId worker, std::span<const TaskId> running,
                                               TimePoint now) {
  std::vector<TaskCommand> out;
  if (IsLost(worker)) {
    for (TaskId t : running) {
      const auto it = tasks_.find(t);
      out.push_back(
          {TaskCommand::Kind::kCancel, t, worker, it == tasks_.end() ? 0 : it->second.attempt});
    }
    return out;
  }
  for (TaskId t : running) {
    const auto it = tasks_.find(t);
    if (it != tasks_.end() && it->second.worker && *it->second.worker == worker) continue;
    out.push_back(
        {TaskCommand::Kind::kCancel, t, worker, it == tasks_.end() ? 0 : it->second.attempt});
  }
  for (auto& [id, e] : tasks_) {
    if (!e.worker || *e.worker != worker) continue;
    if (std::find(running.begin(), running.end(), id) != running.end()) continue;
    // Links are ordered, so a heartbeat that follows the Started report but lacks the task means
    // the task stopped and its report was lost. Without that report the Start may still be on
    // its way to the worker, and absence proves nothing.
    if (!e.confirmed) continue;
    if (e.phase == TaskPhase::kRunning) {
      Requeue(e, std::nullopt);
    } else if (e.phase == TaskPhase::kStopping) {
      AfterStop(e, now, out);
    }
  }
  return out;
}

std::vector<TaskCommand> TaskLedger::Tick(TimePoint now) {
  std::vector<TaskCommand> out;
  for (auto& [id, e] : tasks_) {
    if (e.deadline > now) continue;
    if (e.phase == TaskPhase::kStarting) {
      // The target may or may not have started it: stop it there before it may run elsewhere.
      if (e.migration_target) EndMigration(e, MigrationResult::kStartTimedOut);
      e.phase = TaskPhase::kStopping;
      e.stop_reason = StopReason::kStartTimeout;
      e.deadline = now + options_.cancel_timeout;
      e.cancel_resends = 0;
      out.push_back({TaskCommand::Kind::kCancel, id, *e.worker, e.attempt});
    } else if (e.phase == TaskPhase::kStopping) {
      e.deadline = now + options_.cancel_timeout;
      ++e.cancel_resends;
      out.push_back({TaskCommand::Kind::kCancel, id, *e.worker, e.attempt});
    }
  }
  return out;
}

void TaskLedger::AfterStop(TaskEntry& e, TimePoint now, std::vector<TaskCommand>& out) {
  switch (e.stop_reason) {
    case StopReason::kUserCancel:
      e.phase = TaskPhase::kCancelled;
      e.worker.reset();
      return;
    case StopReason::kStartTimeout:
      Requeue(e, std::nullopt);
      return;
    case StopReason::kMigration: {
      const WorkerId target = *e.migration_target;
      if (IsLost(target)) {
        EndMigration(e, MigrationResult::kTargetLost);
        Requeue(e, std::nullopt);
      } else if (now - e.migration_began > options_.migration_timeout) {
        EndMigration(e, MigrationResult::kTimedOut);
        Requeue(e, std::nullopt);
      } else {
        out.push_back(StartOn(e, target, now));  // the migration goes on: start on the target
      }
      return;
    }
  }
}

void TaskLedger::Requeue(TaskEntry& e, std::optional<WorkerId> preferred) {
  e.phase = TaskPhase::kPending;
  e.worker.reset();
  e.preferred = preferred;
}

TaskCommand TaskLedger::StartOn(TaskEntry& e, WorkerId worker, TimePoint now) {
  e.phase = TaskPhase::kStarting;
  e.worker = worker;
  e.preferred.reset();
  ++e.attempt;
  e.confirmed = false;
  e.deadline = now + options_.start_timeout;
  return {TaskCommand::Kind::kStart, e.id, worker, e.attempt};
}

void TaskLedger::EndMigration(TaskEntry& e, MigrationResult result, Duration downtime) {
  outcomes_.push_back({e.id, e.migration_source, *e.migration_target, result, downtime});
  e.migration_target.reset();
}

std::vector<MigrationOutcome> TaskLedger::TakeMigrationOutcomes() {
  std::vector<MigrationOutcome> out;
  out.swap(outcomes_);
  return out;
}

const TaskEntry* TaskLedger::Find(TaskId task) const {
  const auto it = tasks_.find(task);
  return it == tasks_.end() ? nullptr : &it->second;
}

std::vector<TaskId> TaskLedger::PendingTasks() const {
  std::vector<TaskId> out;
  for (const auto& [id, e] : tasks_) {
    if (e.phase == TaskPhase::kPending) out.push_back(id);
  }
  return out;
}

int TaskLedger::active_migrations() const {
  int n = 0;
  for (const auto& [id, e] : tasks_) n += e.migration_target.has_value() ? 1 : 0;
  return n;
}

}  // namespace huddle::core
