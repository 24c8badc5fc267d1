#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/tasks/task_model.h"
#include "core/time.h"
#include "taskd/protocol.h"
#include "taskd/task_spec.h"

namespace huddle::taskd {

// Runs a worker's tasks and keeps the numbered reports about them until the coordinator
// acknowledges them (the worker half of the reliable link in protocol.h).
// - Start: rejected when every slot is taken or the task is already here; otherwise Started is
//   queued and the task runs on its own thread: a `command` task as a child process (argv, no
//   shell; stdout and stderr captured up to kMaxOutputBytes; the child dies with the worker
//   through PR_SET_PDEATHSIG and is killed with its process group on cancel), a `synthetic` task
//   keeps a core busy (or sleeps, with `spin` false) for its duration.
// - Cancel: the task keeps running for `stop_delay` (saving its state), is stopped, and Stopped
//   is queued; a Cancel for a task that is not here is answered with Stopped at once.
// - Finish: Finished with the result.
// Snapshot() returns the running task ids together with every unacknowledged report, atomically,
// so a report always precedes the running list that reflects it.
// Thread-safe. The destructor kills whatever still runs.
class TaskExecutor {
 public:
  struct Options {
    int slots = 1;
    core::Duration stop_delay{};
    bool spin = true;  // synthetic tasks burn CPU (true) or sleep (false)
  };
  struct Snapshot {
    std::vector<core::TaskId> running;
    std::vector<WorkerReport> reports;
    double cores_busy = 0.0;  // tasks running (each keeps one core busy)
    double memory_gb = 0.0;   // memory the running tasks asked for
  };

  explicit TaskExecutor(Options options);
  ~TaskExecutor();
  TaskExecutor(const TaskExecutor&) = delete;
  TaskExecutor& operator=(const TaskExecutor&) = delete;

  void Start(core::TaskId task, uint64_t attempt, const TaskSpec& spec);
  void Cancel(core::TaskId task, uint64_t attempt);
  // Fencing: stops every task at once and forgets all reports (the coordinator has declared this
  // worker lost and requeued its tasks).
  void StopAll();

  Snapshot Take();
  // The ids of the tasks running now, newest start first (no side effect on reports).
  std::vector<core::TaskId> RunningTasks();
  int slots() const { return options_.slots; }
  void Acknowledge(uint64_t report_seq);

  // Blocks until a report is queued or `timeout` passes (lets the poll loop report promptly).
  void WaitForReport(core::Duration timeout);

 private:
  struct Running {
    core::TaskId task = 0;
    uint64_t attempt = 0;
    TaskSpec spec;
    uint64_t epoch = 0;
    uint64_t order = 0;                  // start order
    std::atomic<int64_t> stop_at_ns{0};  // steady-clock ns; 0 = keep running
    std::atomic<int> pid{0};             // of a command's child while it runs
    bool stop_requested = false;         // task thread only
    bool done_thread = false;            // GUARDED_BY(mutex_): Run() has left its last lock
    std::thread thread;
  };

  void Run(std::shared_ptr<Running> r);
  static bool ShouldStop(Running& r);
  TaskResult RunCommand(Running& r);
  TaskResult RunSynthetic(Running& r);
  void QueueLocked(WorkerReport::Type type, core::TaskId task, uint64_t attempt,
                   TaskResult result = {});
  void ReapLocked(std::vector<std::thread>& joinable);

  const Options options_;
  std::mutex mutex_;
  std::condition_variable reported_;
  std::map<core::TaskId, std::shared_ptr<Running>> running_;  // GUARDED_BY(mutex_)
  std::vector<std::shared_ptr<Running>> finished_;            // threads to join
  std::vector<WorkerReport> reports_;                         // GUARDED_BY(mutex_)
  uint64_t next_seq_ = 1;                                     // GUARDED_BY(mutex_)
  uint64_t started_ = 0;                                      // GUARDED_BY(mutex_)
  uint64_t last_taken_seq_ = 0;                               // GUARDED_BY(mutex_)
  uint64_t epoch_ = 0;  // bumped by StopAll; threads of an older epoch report nothing
};

}  // namespace huddle::taskd
