#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "core/error.h"
#include "core/tasks/task_model.h"
#include "core/time.h"

namespace huddle::core {

enum class TaskPhase { kPending, kStarting, kRunning, kStopping, kSucceeded, kFailed, kCancelled };

// Why a task is being stopped on its worker.
enum class StopReason { kMigration, kUserCancel, kStartTimeout };

// An order for a worker. Every Start carries a new attempt number; reports carry the attempt they
// answer, so late reports of an old attempt are recognised. A worker answers Cancel with Stopped
// whether or not it was running the task (Cancel is idempotent and means "do not run it now").
struct TaskCommand {
  enum class Kind { kStart, kCancel };
  Kind kind = Kind::kStart;
  TaskId task = 0;
  WorkerId worker = 0;
  uint64_t attempt = 0;
  bool operator==(const TaskCommand&) const = default;
};

enum class MigrationResult {
  kMoved,           // running on the target
  kTargetRejected,  // the target refused to start it; requeued
  kTargetLost,      // the target died before it started; requeued
  kStartTimedOut,   // the target did not confirm the start in time; stopped there and requeued
  kFinishedFirst,   // it finished on the source before the cancel landed
  kTimedOut,        // the source confirmed the stop after the migration timeout; requeued
  kCancelled,       // the user cancelled it meanwhile
};

struct MigrationOutcome {
  TaskId task = 0;
  WorkerId source = 0;
  WorkerId target = 0;
  MigrationResult result = MigrationResult::kMoved;
  Duration downtime{};  // from the cancel order to the start on the target (kMoved only)
};

struct TaskEntry {
  TaskId id = 0;
  TaskPhase phase = TaskPhase::kPending;
  std::optional<WorkerId> worker;     // Starting, Running, Stopping: where it may be running
  std::optional<WorkerId> preferred;  // Pending: a worker the scheduler should try first
  uint64_t attempt = 0;               // of the latest Start (0 = never started)
  bool confirmed = false;             // the worker reported this attempt started
  StopReason stop_reason = StopReason::kMigration;
  std::optional<WorkerId> migration_target;  // set while a migration is in flight
  WorkerId migration_source = 0;
  TimePoint migration_began{};
  TimePoint deadline{};  // Starting: start confirmation; Stopping: next cancel resend
  int cancel_resends = 0;
};

// The migration protocol and task lifecycle as a pure state machine: the coordinator's single
// source of truth for where each task may run. Events in (worker reports, worker loss, timer
// ticks), commands out (Start, Cancel). A migration is: Cancel on the source; when the source
// confirms the stop (or is lost), Start on the target with a new attempt; when the target
// confirms, the migration has succeeded. Timeouts and failures requeue the task.
//
// Invariant (tested by failing every step): a task is never lost (every unfinished task is
// pending or attached to exactly one live worker) and never runs on two workers at once (the
// ledger orders a Start only when no other worker may still be running it).
// Assumptions the body must keep: messages on each coordinator-worker link arrive in order (or
// not at all: TCP or a WebSocket); a worker declared lost has stopped or is fenced (it must
// re-register under a new WorkerId and drop its tasks); heartbeats list the tasks a worker runs.
// Not thread-safe.
class TaskLedger {
 public:
  struct Options {
    Duration start_timeout = std::chrono::seconds(30);   // Start without Started: stop it there
    Duration cancel_timeout = std::chrono::seconds(30);  // resend Cancel this often until Stopped
    Duration migration_timeout = std::chrono::seconds(600);  // then requeue without preference
  };

  TaskLedger() : TaskLedger(Options{}) {}
  explicit TaskLedger(Options options) : options_(options) {}

  // A new task, pending. Fails if the id is known.
  Result<void> Submit(TaskId task);
  // Pending -> Starting on `worker`. Fails unless the task is pending and the worker not lost.
  Result<TaskCommand> Assign(TaskId task, WorkerId worker, TimePoint now);
  // Running -> Stopping on its worker, then Starting on `target`. Fails unless the task is
  // running, the target is another live worker.
  Result<TaskCommand> BeginMigration(TaskId task, WorkerId target, TimePoint now);
  // Cancels a task for good (Pending -> Cancelled at once; otherwise after its worker stops it).
  Result<std::vector<TaskCommand>> Cancel(TaskId task, TimePoint now);

  std::vector<TaskCommand> OnStarted(TaskId task, WorkerId worker, uint64_t attempt, TimePoint now);
  std::vector<TaskCommand> OnStartRejected(TaskId task, WorkerId worker, uint64_t attempt,
                                           TimePoint now);
  std::vector<TaskCommand> OnStopped(TaskId task, WorkerId worker, uint64_t attempt, TimePoint now);
  std::vector<TaskCommand> OnFinished(TaskId task, WorkerId worker, uint64_t attempt, bool ok,
                                      TimePoint now);
  // Missed heartbeats: the worker is gone; what it ran is requeued (or moves on to a target).
  std::vector<TaskCommand> OnWorkerLost(WorkerId worker, TimePoint now);
  // A heartbeat's list of running tasks: tasks the ledger had confirmed running there but that
  // are absent count as stopped; tasks there that the ledger does not place there are cancelled.
  std::vector<TaskCommand> Reconcile(WorkerId worker, std::span<const TaskId> running,
                                     TimePoint now);
  // Start and cancel timeouts.
  std::vector<TaskCommand> Tick(TimePoint now);

  std::vector<MigrationOutcome> TakeMigrationOutcomes();
  const TaskEntry* Find(TaskId task) const;
  std::vector<TaskId> PendingTasks() const;
  int active_migrations() const;
  bool IsLost(WorkerId worker) const { return lost_.contains(worker); }
  size_t size() const { return tasks_.size(); }

 private:
  // The task is known to run nowhere any more: what happens next depends on why it stopped.
  void AfterStop(TaskEntry& e, TimePoint now, std::vector<TaskCommand>& out);
  void Requeue(TaskEntry& e, std::optional<WorkerId> preferred);
  TaskCommand StartOn(TaskEntry& e, WorkerId worker, TimePoint now);
  void EndMigration(TaskEntry& e, MigrationResult result, Duration downtime = {});
  // The entry if `worker` and `attempt` are its current ones, else nullptr.
  TaskEntry* Current(TaskId task, WorkerId worker, uint64_t attempt);

  Options options_;
  std::map<TaskId, TaskEntry> tasks_;
  std::set<WorkerId> lost_;
  std::vector<MigrationOutcome> outcomes_;
};

}  // namespace huddle::core
