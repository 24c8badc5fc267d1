#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tasks/migration_planner.h"
#include "core/tasks/task_ledger.h"
#include "core/time.h"
#include "taskd/protocol.h"
#include "taskd/task_spec.h"

namespace huddle::taskd {

struct CoordinatorOptions {
  core::Duration heartbeat_interval = std::chrono::seconds(1);  // told to workers
  core::Duration heartbeat_timeout = std::chrono::seconds(5);   // then a worker is lost
  core::PlannerOptions planner;
  core::TaskLedger::Options ledger;
  size_t max_finished_tasks = 10000;  // oldest finished tasks are forgotten beyond this
  // Executables a `command` task may run (argv[0], compared exactly). Empty: command tasks are
  // refused; the coordinator then runs nothing but synthetic tasks.
  std::vector<std::string> command_allow;
};

// What one balancing round did; the history writes it as a load_balancer_metrics row.
struct BalanceRecord {
  core::BalanceRound round;
  int migrations_initiated = 0;   // started this round
  int migrations_successful = 0;  // finished as kMoved since the previous round
  int migrations_failed = 0;      // finished otherwise since the previous round
  int active_migrations = 0;
  double success_rate = 0.0;  // lifetime: successful / finished
};

// The task coordinator's state: workers, tasks, the migration protocol (core::TaskLedger), the
// scheduler and the migration planner (core/tasks). No I/O and no clock: the HTTP layer and the
// service loop call it with the time. Commands for a worker are queued in its outbox and
// delivered (and redelivered until acknowledged) by its polls.
// Thread-safe: every public method takes one mutex.
class Coordinator {
 public:
  explicit Coordinator(CoordinatorOptions options, core::TimePoint start);
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // Whether `spec` may be submitted: a command task needs its argv[0] in command_allow.
  core::Result<void> Admit(const TaskSpec& spec) const;
  core::Result<core::TaskId> Submit(TaskSpec spec, core::TimePoint now);
  core::Result<void> Cancel(core::TaskId task, core::TimePoint now);
  // Starts a migration of a running task to `target` through the protocol (the planner does the
  // same each round; the API and the overlay initiator use this).
  core::Result<void> Migrate(core::TaskId task, core::WorkerId target, core::TimePoint now);

  // Registers a worker that will prove itself with `secret` (the API draws it at random and
  // hands it to the worker only). A name held by an active worker is refused, unless
  // `previous_secret` is that worker's secret: a worker that fenced itself registers again and
  // its old registration is declared lost.
  core::Result<core::WorkerId> Register(const WorkerProfile& profile, const std::string& secret,
                                        core::TimePoint now,
                                        const std::string& previous_secret = "");
  // A poll from a worker: an unknown or lost id is told `lost`; a known id with another secret
  // is refused (no state changes, no commands).
  core::Result<PollResponse> Poll(core::WorkerId worker, const std::string& secret,
                                  const PollRequest& request, core::TimePoint now);
  // Heartbeat timeouts, protocol timeouts, scheduling. Call often (every 100 ms or so).
  void Tick(core::TimePoint now);
  // One balancing round of the planner; migrations it chooses are started.
  BalanceRecord Balance(core::TimePoint now);

  // Overlay mode: once every listed node has registered, polls carry the neighbours' wave URLs,
  // and RequestWave() asks the initiator to start a wave.
  void SetOverlay(std::map<std::string, std::vector<std::string>> neighbors, std::string initiator);
  // Returns the wave id, or an error when the initiator is not registered yet.
  core::Result<uint64_t> RequestWave(core::TimePoint now);
  // A node's report of a wave it decided in (overlay_node.h); merged per wave id.
  void RecordWave(const nlohmann::json& node_report);

  // Views for the API (JSON as documented in docs/taskd.md).
  nlohmann::json TasksJson(const std::string& state_filter) const;
  std::optional<nlohmann::json> TaskJson(core::TaskId task) const;
  nlohmann::json WorkersJson() const;
  nlohmann::json MigrationsJson() const;
  nlohmann::json WavesJson() const;
  // The seed's get_load_balancer_stats().
  nlohmann::json StatsJson() const;
  std::string PrometheusText() const;
  // Worker ids by name (overlay and tests).
  std::optional<core::WorkerId> WorkerByName(const std::string& name) const;
  std::optional<core::WorkerId> WorkerByNode(const std::string& node) const;
  // Counts of tasks by phase name ("pending", "running", "succeeded", ...).
  std::map<std::string, size_t> TaskCounts() const;

  core::Duration heartbeat_interval() const { return options_.heartbeat_interval; }

 private:
  struct Run {
    core::WorkerId worker = 0;
    uint64_t attempt = 0;
    core::TimePoint started{};
    std::optional<core::TimePoint> ended;
  };
  struct TaskRecord {
    TaskSpec spec;
    core::TimePoint submitted{};
    std::optional<core::TimePoint> finished;
    std::vector<Run> runs;
    std::optional<TaskResult> result;
  };
  struct WorkerRecord {
    WorkerProfile profile;
    std::string secret;
    core::TimePoint registered{};
    core::TimePoint last_seen{};
    core::WorkerUsage usage;
    double utilisation = 0.0;
    bool lost = false;
    std::vector<core::TaskId> reported_running;
    std::deque<WorkerCommand> outbox;
    uint64_t next_command_seq = 1;
    uint64_t last_report_seq = 0;
    uint64_t pending_wave = 0;
    uint64_t polls = 0;
  };
  struct MigrationRecord {
    uint64_t id = 0;
    core::TaskId task = 0;
    core::WorkerId source = 0;
    core::WorkerId target = 0;
    core::TimePoint began{};
    std::optional<core::TimePoint> ended;
    std::string origin;  // "planner", "api"
    double net_benefit = 0.0;
    std::optional<core::MigrationResult> result;
    core::Duration downtime{};
  };

  void RouteLocked(const std::vector<core::TaskCommand>& commands, core::TimePoint now);
  void RouteLocked(const core::TaskCommand& command, core::TimePoint now);
  void ApplyReportLocked(core::WorkerId worker, const WorkerReport& report, core::TimePoint now);
  void EndRunLocked(core::TaskId task, core::WorkerId worker, core::TimePoint now);
  void MarkLostLocked(core::WorkerId worker, core::TimePoint now);
  void ScheduleLocked(core::TimePoint now);
  void CollectOutcomesLocked(core::TimePoint now);
  void ForgetOldTasksLocked();
  std::vector<core::WorkerInfo> WorkerInfosLocked() const;
  double LoadShareLocked(const TaskSpec& spec, const WorkerRecord& worker) const;
  nlohmann::json TaskJsonLocked(core::TaskId id, const TaskRecord& record) const;
  double Seconds(core::TimePoint t) const { return core::ToSeconds(t - start_); }
  core::Result<void> StartMigrationLocked(core::TaskId task, core::WorkerId target,
                                          const std::string& origin, double net_benefit,
                                          core::TimePoint now);

  // Constant after construction.
  const CoordinatorOptions options_;
  const core::TimePoint start_;

  mutable std::mutex mutex_;
  core::TaskLedger ledger_;                          // GUARDED_BY(mutex_)
  core::MigrationPlanner planner_;                   // GUARDED_BY(mutex_)
  std::map<core::TaskId, TaskRecord> tasks_;         // GUARDED_BY(mutex_)
  std::map<core::WorkerId, WorkerRecord> workers_;   // GUARDED_BY(mutex_)
  std::map<core::TaskId, uint64_t> open_migration_;  // task -> migration id, GUARDED_BY(mutex_)
  std::deque<MigrationRecord> migrations_;           // GUARDED_BY(mutex_)
  core::TaskId next_task_ = 1;
  core::WorkerId next_worker_ = 1;
  uint64_t next_migration_ = 1;
  uint64_t submitted_total_ = 0;
  uint64_t workers_lost_total_ = 0;
  uint64_t rounds_ = 0;
  uint64_t migrations_initiated_total_ = 0;
  uint64_t migrations_successful_total_ = 0;
  uint64_t migrations_failed_total_ = 0;
  int successful_since_round_ = 0;
  int failed_since_round_ = 0;
  std::optional<BalanceRecord> last_round_;
  // Overlay mode.
  std::map<std::string, std::vector<std::string>> overlay_neighbors_;
  std::string overlay_initiator_;
  uint64_t next_wave_ = 1;
  std::map<uint64_t, nlohmann::json> waves_;  // by wave id, the newest 100
};

std::string_view TaskPhaseName(core::TaskPhase phase);
std::string_view MigrationResultName(core::MigrationResult result);

}  // namespace huddle::taskd
