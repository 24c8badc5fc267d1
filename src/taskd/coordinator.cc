#include "taskd/coordinator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/http/auth.h"
#include "common/prometheus_text.h"
#include "core/tasks/task_scheduler.h"

namespace huddle::taskd {
namespace {

using core::Fail;
using core::TaskPhase;
using nlohmann::json;

bool Terminal(TaskPhase p) {
  return p == TaskPhase::kSucceeded || p == TaskPhase::kFailed || p == TaskPhase::kCancelled;
}

// Whether a migration's result says something about the target (the learned success history).
std::optional<bool> TargetVerdict(core::MigrationResult r) {
  switch (r) {
    case core::MigrationResult::kMoved:
      return true;
    case core::MigrationResult::kTargetRejected:
    case core::MigrationResult::kTargetLost:
    case core::MigrationResult::kStartTimedOut:
    case core::MigrationResult::kTimedOut:
      return false;
    case core::MigrationResult::kFinishedFirst:
    case core::MigrationResult::kCancelled:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string_view TrendName(core::LoadTrend t) {
  switch (t) {
    case core::LoadTrend::kIncreasing:
      return "increasing";
    case core::LoadTrend::kDecreasing:
      return "decreasing";
    case core::LoadTrend::kStable:
      return "stable";
  }
  return "stable";
}

}  // namespace

std::string_view TaskPhaseName(TaskPhase phase) {
  switch (phase) {
    case TaskPhase::kPending:
      return "pending";
    case TaskPhase::kStarting:
      return "starting";
    case TaskPhase::kRunning:
      return "running";
    case TaskPhase::kStopping:
      return "stopping";
    case TaskPhase::kSucceeded:
      return "succeeded";
    case TaskPhase::kFailed:
      return "failed";
    case TaskPhase::kCancelled:
      return "cancelled";
  }
  return "?";
}

std::string_view MigrationResultName(core::MigrationResult result) {
  switch (result) {
    case core::MigrationResult::kMoved:
      return "moved";
    case core::MigrationResult::kTargetRejected:
      return "target_rejected";
    case core::MigrationResult::kTargetLost:
      return "target_lost";
    case core::MigrationResult::kStartTimedOut:
      return "start_timed_out";
    case core::MigrationResult::kFinishedFirst:
      return "finished_first";
    case core::MigrationResult::kTimedOut:
      return "timed_out";
    case core::MigrationResult::kCancelled:
      return "cancelled";
  }
  return "?";
}

Coordinator::Coordinator(CoordinatorOptions options, core::TimePoint start)
    : options_(options), start_(start), ledger_(options.ledger), planner_(options.planner) {}

core::Result<void> Coordinator::Admit(const TaskSpec& spec) const {
  if (spec.kind != TaskKind::kCommand) return {};
  if (options_.command_allow.empty()) {
    return Fail("command tasks are disabled (list the executables in commands.allow)");
  }
  if (spec.argv.empty()) return Fail("a command task needs argv");
  if (std::find(options_.command_allow.begin(), options_.command_allow.end(), spec.argv[0]) ==
      options_.command_allow.end()) {
    return Fail(fmt::format("'{}' is not in commands.allow", spec.argv[0]));
  }
  return {};
}

core::Result<core::TaskId> Coordinator::Submit(TaskSpec spec, core::TimePoint now) {
  if (auto admitted = Admit(spec); !admitted) return std::unexpected(admitted.error());
  std::lock_guard lock(mutex_);
  const core::TaskId id = next_task_++;
  if (auto s = ledger_.Submit(id); !s) return std::unexpected(s.error());
  if (spec.name.empty()) spec.name = fmt::format("task-{}", id);
  tasks_[id] = TaskRecord{.spec = std::move(spec), .submitted = now};
  ++submitted_total_;
  ScheduleLocked(now);
  return id;
}

core::Result<void> Coordinator::Cancel(core::TaskId task, core::TimePoint now) {
  std::lock_guard lock(mutex_);
  if (!tasks_.contains(task)) return Fail(fmt::format("task {} is unknown", task));
  auto commands = ledger_.Cancel(task, now);
  if (!commands) return std::unexpected(commands.error());
  RouteLocked(*commands, now);
  const core::TaskEntry* e = ledger_.Find(task);
  if (e != nullptr && e->phase == TaskPhase::kCancelled) tasks_[task].finished = now;
  CollectOutcomesLocked(now);
  return {};
}

core::Result<void> Coordinator::Migrate(core::TaskId task, core::WorkerId target,
                                        core::TimePoint now) {
  std::lock_guard lock(mutex_);
  const auto w = workers_.find(target);
  if (w == workers_.end() || w->second.lost) {
    return Fail(fmt::format("worker {} is unknown or lost", target));
  }
  if (!tasks_.contains(task)) return Fail(fmt::format("task {} is unknown", task));
  return StartMigrationLocked(task, target, "api", 0.0, now);
}

core::Result<void> Coordinator::StartMigrationLocked(core::TaskId task, core::WorkerId target,
                                                     const std::string& origin, double net_benefit,
                                                     core::TimePoint now) {
  const core::TaskEntry* e = ledger_.Find(task);
  if (e == nullptr) return Fail(fmt::format("task {} is unknown", task));
  if (e->migration_target) return Fail(fmt::format("task {} is already migrating", task));
  const std::optional<core::WorkerId> source = e->worker;
  auto command = ledger_.BeginMigration(task, target, now);
  if (!command) return std::unexpected(command.error());
  RouteLocked(*command, now);
  const uint64_t id = next_migration_++;
  migrations_.push_back(MigrationRecord{.id = id,
                                        .task = task,
                                        .source = source.value_or(0),
                                        .target = target,
                                        .began = now,
                                        .origin = origin,
                                        .net_benefit = net_benefit});
  while (migrations_.size() > 1000 && migrations_.front().result) migrations_.pop_front();
  open_migration_[task] = id;
  ++migrations_initiated_total_;
  return {};
}

core::Result<core::WorkerId> Coordinator::Register(const WorkerProfile& profile,
                                                   const std::string& secret, core::TimePoint now,
                                                   const std::string& previous_secret) {
  std::lock_guard lock(mutex_);
  if (secret.empty()) return Fail("a worker needs a secret");
  if (!profile.name.empty()) {
    for (auto& [other_id, other] : workers_) {
      if (other.lost || other.profile.name != profile.name) continue;
      if (previous_secret.empty() || !http::ConstantTimeEquals(previous_secret, other.secret)) {
        return Fail(
            fmt::format("worker name '{}' is taken by active worker {}", profile.name, other_id));
      }
      MarkLostLocked(other_id, now);  // the same worker, registering again after fencing
    }
  }
  const core::WorkerId id = next_worker_++;
  WorkerRecord& w = workers_[id];
  w.profile = profile;
  w.secret = secret;
  if (w.profile.name.empty()) w.profile.name = fmt::format("worker-{}", id);
  w.registered = now;
  w.last_seen = now;
  ScheduleLocked(now);
  return id;
}

core::Result<PollResponse> Coordinator::Poll(core::WorkerId worker, const std::string& secret,
                                             const PollRequest& request, core::TimePoint now) {
  std::lock_guard lock(mutex_);
  PollResponse response;
  const auto it = workers_.find(worker);
  if (it != workers_.end() && !http::ConstantTimeEquals(secret, it->second.secret)) {
    return Fail(fmt::format("wrong secret for worker {}", worker));
  }
  if (it == workers_.end() || it->second.lost) {
    response.lost = true;
    return response;
  }
  {
    WorkerRecord& w = it->second;
    w.last_seen = now;
    ++w.polls;
    w.usage = request.usage;
    w.utilisation = core::Utilisation(request.usage);
    w.reported_running = request.running;
    while (!w.outbox.empty() && w.outbox.front().seq <= request.command_ack) w.outbox.pop_front();
  }
  for (const WorkerReport& report : request.reports) {
    if (report.seq <= workers_[worker].last_report_seq) continue;  // a resend
    ApplyReportLocked(worker, report, now);
    workers_[worker].last_report_seq = report.seq;
  }
  RouteLocked(ledger_.Reconcile(worker, request.running, now), now);
  CollectOutcomesLocked(now);
  ScheduleLocked(now);

  WorkerRecord& w = workers_[worker];
  response.report_ack = w.last_report_seq;
  response.commands.assign(w.outbox.begin(), w.outbox.end());
  if (!overlay_neighbors_.empty() && !w.profile.node.empty()) {
    const auto n = overlay_neighbors_.find(w.profile.node);
    if (n != overlay_neighbors_.end()) {
      bool complete = true;
      for (const std::string& node : n->second) {
        std::string url;
        for (const auto& [id, other] : workers_) {
          if (!other.lost && other.profile.node == node) url = other.profile.wave_url;
        }
        if (url.empty()) complete = false;
        response.neighbors.push_back({node, url});
      }
      if (!complete) response.neighbors.clear();
    }
  }
  response.start_wave = w.pending_wave;
  w.pending_wave = 0;
  return response;
}

void Coordinator::ApplyReportLocked(core::WorkerId worker, const WorkerReport& report,
                                    core::TimePoint now) {
  const auto t = tasks_.find(report.task);
  switch (report.type) {
    case WorkerReport::Type::kStarted: {
      RouteLocked(ledger_.OnStarted(report.task, worker, report.attempt, now), now);
      const core::TaskEntry* e = ledger_.Find(report.task);
      if (t != tasks_.end() && e != nullptr && e->worker == worker &&
          e->attempt == report.attempt && e->confirmed) {
        std::vector<Run>& runs = t->second.runs;
        if (runs.empty() || runs.back().attempt != report.attempt || runs.back().worker != worker) {
          runs.push_back(Run{.worker = worker, .attempt = report.attempt, .started = now});
        }
      }
      break;
    }
    case WorkerReport::Type::kRejected:
      RouteLocked(ledger_.OnStartRejected(report.task, worker, report.attempt, now), now);
      break;
    case WorkerReport::Type::kStopped:
      RouteLocked(ledger_.OnStopped(report.task, worker, report.attempt, now), now);
      break;
    case WorkerReport::Type::kFinished: {
      const core::TaskEntry* before = ledger_.Find(report.task);
      const bool current = before != nullptr && before->worker == worker &&
                           before->attempt == report.attempt && !Terminal(before->phase);
      RouteLocked(ledger_.OnFinished(report.task, worker, report.attempt, report.result.ok, now),
                  now);
      const core::TaskEntry* after = ledger_.Find(report.task);
      if (current && t != tasks_.end() && after != nullptr && Terminal(after->phase)) {
        t->second.result = report.result;
        t->second.finished = now;
      }
      break;
    }
  }
  EndRunLocked(report.task, worker, now);
}

// Closes the task's open run when the ledger no longer places that attempt on that worker.
void Coordinator::EndRunLocked(core::TaskId task, core::WorkerId /*worker*/, core::TimePoint now) {
  const auto t = tasks_.find(task);
  if (t == tasks_.end() || t->second.runs.empty() || t->second.runs.back().ended) return;
  Run& run = t->second.runs.back();
  const core::TaskEntry* e = ledger_.Find(task);
  const bool still =
      e != nullptr && e->worker == run.worker && e->attempt == run.attempt && !Terminal(e->phase);
  if (!still) run.ended = now;
  if (e != nullptr && e->phase == TaskPhase::kCancelled && !t->second.finished) {
    t->second.finished = now;
  }
}

void Coordinator::RouteLocked(const std::vector<core::TaskCommand>& commands, core::TimePoint now) {
  for (const core::TaskCommand& c : commands) RouteLocked(c, now);
}

void Coordinator::RouteLocked(const core::TaskCommand& c, core::TimePoint /*now*/) {
  const auto w = workers_.find(c.worker);
  if (w == workers_.end() || w->second.lost) return;
  WorkerCommand cmd{
      .seq = w->second.next_command_seq++, .kind = c.kind, .task = c.task, .attempt = c.attempt};
  if (c.kind == core::TaskCommand::Kind::kStart) {
    const auto t = tasks_.find(c.task);
    if (t == tasks_.end()) return;
    cmd.spec = t->second.spec;
  }
  w->second.outbox.push_back(std::move(cmd));
}

void Coordinator::MarkLostLocked(core::WorkerId worker, core::TimePoint now) {
  WorkerRecord& w = workers_[worker];
  w.lost = true;
  w.outbox.clear();
  ++workers_lost_total_;
  RouteLocked(ledger_.OnWorkerLost(worker, now), now);
  planner_.ForgetWorker(worker);
  for (auto& [id, record] : tasks_) {
    if (!record.runs.empty() && !record.runs.back().ended) EndRunLocked(id, worker, now);
  }
}

void Coordinator::Tick(core::TimePoint now) {
  std::lock_guard lock(mutex_);
  for (auto& [id, w] : workers_) {
    if (!w.lost && now - w.last_seen > options_.heartbeat_timeout) MarkLostLocked(id, now);
  }
  RouteLocked(ledger_.Tick(now), now);
  for (auto& [id, record] : tasks_) {
    if (!record.runs.empty() && !record.runs.back().ended) EndRunLocked(id, 0, now);
  }
  CollectOutcomesLocked(now);
  ScheduleLocked(now);
  ForgetOldTasksLocked();
}

void Coordinator::CollectOutcomesLocked(core::TimePoint now) {
  for (const core::MigrationOutcome& o : ledger_.TakeMigrationOutcomes()) {
    const auto open = open_migration_.find(o.task);
    if (open != open_migration_.end()) {
      for (MigrationRecord& m : migrations_) {
        if (m.id != open->second) continue;
        m.result = o.result;
        m.ended = now;
        m.downtime = o.downtime;
      }
      open_migration_.erase(open);
    }
    const std::optional<bool> verdict = TargetVerdict(o.result);
    if (o.result == core::MigrationResult::kMoved) {
      ++migrations_successful_total_;
      ++successful_since_round_;
    } else {
      ++migrations_failed_total_;
      ++failed_since_round_;
    }
    const auto t = tasks_.find(o.task);
    if (verdict && t != tasks_.end()) {
      planner_.RecordMigrationOutcome(t->second.spec.group, o.target, *verdict, o.downtime);
    }
  }
}

double Coordinator::LoadShareLocked(const TaskSpec& spec, const WorkerRecord& w) const {
  if (spec.load_share > 0.0) return spec.load_share;
  // One busy core and the task's memory, in the units of core::Utilisation (mean of CPU and
  // memory fractions).
  const double cpu = 1.0 / std::max(1, w.profile.cores);
  const double memory = spec.requirements.memory_gb / std::max(1e-9, w.profile.memory_gb);
  return std::min(1.0, (cpu + std::min(1.0, memory)) / 2.0);
}

std::vector<core::WorkerInfo> Coordinator::WorkerInfosLocked() const {
  std::map<core::WorkerId, std::pair<int, double>> committed;  // tasks, memory
  for (const auto& [id, record] : tasks_) {
    const core::TaskEntry* e = ledger_.Find(id);
    if (e == nullptr || !e->worker) continue;
    auto& c = committed[*e->worker];
    ++c.first;
    c.second += record.spec.requirements.memory_gb;
  }
  std::vector<core::WorkerInfo> out;
  for (const auto& [id, w] : workers_) {
    if (w.lost) continue;
    const auto c = committed.find(id);
    core::WorkerInfo info;
    info.id = id;
    info.hardware = w.profile.hardware;
    info.primary = w.profile.primary;
    info.cores = w.profile.cores;
    info.memory_gb = w.profile.memory_gb;
    info.memory_available_gb =
        std::max(0.0, w.profile.memory_gb - (c == committed.end() ? 0.0 : c->second.second));
    info.cuda_compute = w.profile.cuda_compute;
    info.active = true;
    info.utilisation = w.utilisation;
    info.running_tasks = c == committed.end() ? 0 : c->second.first;
    info.max_tasks = w.profile.max_tasks;
    out.push_back(info);
  }
  return out;
}

void Coordinator::ScheduleLocked(core::TimePoint now) {
  const std::vector<core::TaskId> pending_ids = ledger_.PendingTasks();
  if (pending_ids.empty()) return;
  const std::vector<core::WorkerInfo> infos = WorkerInfosLocked();
  if (infos.empty()) return;
  std::vector<double> predicted;
  for (const core::WorkerInfo& info : infos) {
    const auto p = planner_.predictor().Predict(info.id, now);
    const bool confident = p && p->confidence >= options_.planner.min_prediction_confidence;
    predicted.push_back(confident ? std::max(info.utilisation, p->predicted) : info.utilisation);
  }
  double mean_share = 0.0;
  for (const core::WorkerInfo& info : infos) mean_share += 0.5 / std::max(1, info.cores);
  mean_share /= static_cast<double>(infos.size());
  std::vector<core::PendingTask> pending;
  for (core::TaskId id : pending_ids) {
    const auto t = tasks_.find(id);
    if (t == tasks_.end()) continue;
    const core::TaskEntry* e = ledger_.Find(id);
    pending.push_back(core::PendingTask{
        .id = id,
        .requirements = t->second.spec.requirements,
        .load_share = t->second.spec.load_share > 0 ? t->second.spec.load_share : mean_share,
        .preferred_worker = e->preferred});
  }
  for (const core::TaskAssignment& a : core::ScheduleTasks(pending, infos, predicted)) {
    auto command = ledger_.Assign(a.task, a.worker, now);
    if (command) RouteLocked(*command, now);
  }
}

BalanceRecord Coordinator::Balance(core::TimePoint now) {
  std::lock_guard lock(mutex_);
  CollectOutcomesLocked(now);
  std::vector<core::WorkerInfo> infos = WorkerInfosLocked();
  for (const core::WorkerInfo& info : infos) planner_.ObserveWorker(info.id, now, info.utilisation);
  std::vector<core::RunningTask> running;
  for (const auto& [id, record] : tasks_) {
    const core::TaskEntry* e = ledger_.Find(id);
    if (e == nullptr || e->phase != TaskPhase::kRunning || !e->worker) continue;
    const auto w = workers_.find(*e->worker);
    if (w == workers_.end()) continue;
    core::RunningTask r;
    r.id = id;
    r.kind = record.spec.group;
    r.requirements = record.spec.requirements;
    r.worker = *e->worker;
    r.started = record.runs.empty() ? record.submitted : record.runs.back().started;
    r.load_share = LoadShareLocked(record.spec, w->second);
    r.migrating = e->migration_target.has_value();
    running.push_back(std::move(r));
  }
  BalanceRecord record;
  record.round = planner_.Plan(infos, running, ledger_.active_migrations(), now);
  for (const core::MigrationCandidate& c : record.round.chosen) {
    if (StartMigrationLocked(c.task, c.target, "planner", c.net_benefit, now)) {
      ++record.migrations_initiated;
    }
  }
  record.migrations_successful = successful_since_round_;
  record.migrations_failed = failed_since_round_;
  successful_since_round_ = 0;
  failed_since_round_ = 0;
  record.active_migrations = ledger_.active_migrations();
  const uint64_t finished = migrations_successful_total_ + migrations_failed_total_;
  record.success_rate = finished == 0 ? 0.0
                                      : static_cast<double>(migrations_successful_total_) /
                                            static_cast<double>(finished);
  ++rounds_;
  last_round_ = record;
  return record;
}

void Coordinator::ForgetOldTasksLocked() {
  size_t finished = 0;
  for (const auto& [id, r] : tasks_) finished += r.finished ? 1 : 0;
  for (auto it = tasks_.begin(); it != tasks_.end() && finished > options_.max_finished_tasks;) {
    if (it->second.finished) {
      it = tasks_.erase(it);
      --finished;
    } else {
      ++it;
    }
  }
}

void Coordinator::SetOverlay(std::map<std::string, std::vector<std::string>> neighbors,
                             std::string initiator) {
  std::lock_guard lock(mutex_);
  overlay_neighbors_ = std::move(neighbors);
  overlay_initiator_ = std::move(initiator);
}

core::Result<uint64_t> Coordinator::RequestWave(core::TimePoint /*now*/) {
  std::lock_guard lock(mutex_);
  for (auto& [id, w] : workers_) {
    if (w.lost || w.profile.node != overlay_initiator_ || overlay_initiator_.empty()) continue;
    w.pending_wave = next_wave_++;
    return w.pending_wave;
  }
  return Fail("the overlay initiator has not registered");
}

void Coordinator::RecordWave(const json& r) {
  std::lock_guard lock(mutex_);
  const uint64_t id = r.value("wave", uint64_t{0});
  const std::string node = r.value("node", std::string());
  if (id == 0 || node.empty()) return;
  json& w = waves_[id];
  if (w.is_null()) {
    w = {{"wave", id},         {"nodes_decided", 0},   {"echo_messages", 0},
         {"finn_messages", 0}, {"moves_requested", 0}, {"tree", json::object()}};
  }
  if (w["tree"].contains(node)) return;  // a resend
  w["tree"][node] = r.value("father", json(nullptr));
  w["nodes_decided"] = w["nodes_decided"].get<int>() + 1;
  w["echo_messages"] = w["echo_messages"].get<size_t>() + r.value("echo_sent", size_t{0});
  w["finn_messages"] = w["finn_messages"].get<size_t>() + r.value("finn_sent", size_t{0});
  w["moves_requested"] = w["moves_requested"].get<int>() + r.value("moves_requested", 0);
  if (r.value("initiator", false)) {
    w["initiator"] = node;
    for (const char* key : {"loads", "plan", "edges", "nodes"}) {
      if (r.contains(key)) w[key] = r[key];
    }
  }
  while (waves_.size() > 100) waves_.erase(waves_.begin());
}

std::optional<core::WorkerId> Coordinator::WorkerByNode(const std::string& node) const {
  std::lock_guard lock(mutex_);
  std::optional<core::WorkerId> found;
  for (const auto& [id, w] : workers_) {
    if (!w.lost && w.profile.node == node) found = id;
  }
  return found;
}

std::optional<core::WorkerId> Coordinator::WorkerByName(const std::string& name) const {
  std::lock_guard lock(mutex_);
  std::optional<core::WorkerId> found;
  for (const auto& [id, w] : workers_) {
    if (!w.lost && w.profile.name == name) found = id;
  }
  return found;
}

std::map<std::string, size_t> Coordinator::TaskCounts() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, size_t> counts;
  for (const auto& [id, r] : tasks_) {
    const core::TaskEntry* e = ledger_.Find(id);
    if (e != nullptr) ++counts[std::string(TaskPhaseName(e->phase))];
  }
  return counts;
}

json Coordinator::TaskJsonLocked(core::TaskId id, const TaskRecord& r) const {
  const core::TaskEntry* e = ledger_.Find(id);
  json j;
  j["id"] = id;
  j["name"] = r.spec.name;
  j["kind"] = TaskKindName(r.spec.kind);
  j["state"] = e == nullptr ? "unknown" : TaskPhaseName(e->phase);
  j["worker"] = e != nullptr && e->worker ? json(*e->worker) : json(nullptr);
  j["attempt"] = e == nullptr ? 0 : e->attempt;
  j["migrating_to"] =
      e != nullptr && e->migration_target ? json(*e->migration_target) : json(nullptr);
  j["submitted_s"] = Seconds(r.submitted);
  j["finished_s"] = r.finished ? json(Seconds(*r.finished)) : json(nullptr);
  json runs = json::array();
  for (const Run& run : r.runs) {
    runs.push_back({{"worker", run.worker},
                    {"attempt", run.attempt},
                    {"started_s", Seconds(run.started)},
                    {"ended_s", run.ended ? json(Seconds(*run.ended)) : json(nullptr)}});
  }
  j["runs"] = runs;
  j["result"] = r.result ? ToJson(*r.result) : json(nullptr);
  j["spec"] = TaskSpecToJson(r.spec);
  return j;
}

json Coordinator::TasksJson(const std::string& state_filter) const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& [id, r] : tasks_) {
    const core::TaskEntry* e = ledger_.Find(id);
    if (!state_filter.empty() && (e == nullptr || TaskPhaseName(e->phase) != state_filter)) {
      continue;
    }
    json j = TaskJsonLocked(id, r);
    j.erase("spec");
    j["result"] = r.result ? json(r.result->ok) : json(nullptr);
    out.push_back(std::move(j));
  }
  return out;
}

std::optional<json> Coordinator::TaskJson(core::TaskId task) const {
  std::lock_guard lock(mutex_);
  const auto it = tasks_.find(task);
  if (it == tasks_.end()) return std::nullopt;
  return TaskJsonLocked(task, it->second);
}

json Coordinator::WorkersJson() const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& [id, w] : workers_) {
    json tasks = json::array();
    for (const auto& [tid, r] : tasks_) {
      const core::TaskEntry* e = ledger_.Find(tid);
      if (e != nullptr && e->worker == id) tasks.push_back(tid);
    }
    json j = ToJson(w.profile);
    j["id"] = id;
    j["state"] = w.lost ? "lost" : "active";
    j["utilisation"] = w.utilisation;
    j["usage"] = {
        {"cpu", w.usage.cpu}, {"memory", w.usage.memory}, {"gpu_memory", w.usage.gpu_memory}};
    j["tasks"] = tasks;
    j["reported_running"] = w.reported_running;
    j["last_seen_s"] = Seconds(w.last_seen);
    j["registered_s"] = Seconds(w.registered);
    j["polls"] = w.polls;
    out.push_back(std::move(j));
  }
  return out;
}

json Coordinator::MigrationsJson() const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const MigrationRecord& m : migrations_) {
    out.push_back({{"id", m.id},
                   {"task", m.task},
                   {"source", m.source},
                   {"target", m.target},
                   {"origin", m.origin},
                   {"net_benefit", m.net_benefit},
                   {"began_s", Seconds(m.began)},
                   {"ended_s", m.ended ? json(Seconds(*m.ended)) : json(nullptr)},
                   {"result", m.result ? json(MigrationResultName(*m.result)) : json("in_flight")},
                   {"downtime_ms", core::ToMillis(m.downtime)}});
  }
  return out;
}

json Coordinator::WavesJson() const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& [id, w] : waves_) out.push_back(w);
  return out;
}

json Coordinator::StatsJson() const {
  std::lock_guard lock(mutex_);
  const core::PlannerOptions& p = options_.planner;
  const core::DynamicThresholds& th = planner_.thresholds();
  size_t active = 0;
  for (const auto& [id, w] : workers_) active += w.lost ? 0 : 1;
  const uint64_t finished = migrations_successful_total_ + migrations_failed_total_;
  json j;
  j["worker_count"] = active;
  j["workers_lost_total"] = workers_lost_total_;
  j["active_migrations"] = ledger_.active_migrations();
  j["rounds"] = rounds_;
  j["thresholds"] = {
      {"high", p.enable_dynamic_thresholds ? th.high() : p.utilization_threshold_high},
      {"low", p.enable_dynamic_thresholds ? th.low() : p.utilization_threshold_low},
      {"initial_high", th.initial_high()},
      {"initial_low", th.initial_low()},
      {"trend", TrendName(th.trend())},
      {"slope", th.slope()}};
  j["migrations"] = {
      {"initiated", migrations_initiated_total_},
      {"successful", migrations_successful_total_},
      {"failed", migrations_failed_total_},
      {"success_rate", finished == 0 ? json(nullptr)
                                     : json(static_cast<double>(migrations_successful_total_) /
                                            static_cast<double>(finished))}};
  j["features"] = {{"task_migration", p.enable_task_migration},
                   {"dynamic_thresholds", p.enable_dynamic_thresholds},
                   {"predictive_balancing", p.enable_predictive_balancing},
                   {"cost_benefit_analysis", p.enable_cost_benefit_analysis},
                   {"hardware_specific", p.enable_hardware_specific_strategies},
                   {"resource_efficiency", p.enable_resource_efficiency}};
  if (last_round_) {
    const core::BalanceRound& r = last_round_->round;
    j["system_load"] = r.system_load;
    j["load_stddev"] = r.load_stddev;
    j["imbalance_score"] = r.imbalance_score;
    j["prediction"] = {
        {"current_load", r.system_load},
        {"predicted_load", r.predicted_system_load},
        {"confidence", r.prediction_confidence},
        {"window_minutes", core::ToSeconds(p.prediction_window) / 60.0},
        {"accuracy", r.prediction_accuracy ? json(*r.prediction_accuracy) : json(nullptr)},
        {"current_imbalance", r.current_imbalance},
        {"predicted_imbalance", r.predicted_imbalance}};
    j["last_round"] = {{"candidates", r.candidates.size()},
                       {"chosen", r.chosen.size()},
                       {"acted_on_prediction", r.acted_on_prediction}};
  }
  j["tasks"] = json::object();
  for (const auto& [id, r] : tasks_) {
    const core::TaskEntry* e = ledger_.Find(id);
    if (e == nullptr) continue;
    const std::string name(TaskPhaseName(e->phase));
    j["tasks"][name] = j["tasks"].value(name, 0) + 1;
  }
  return j;
}

std::string Coordinator::PrometheusText() const {
  using Text = common::PrometheusText;
  std::lock_guard lock(mutex_);
  Text m;
  m.Family("huddle_tasks_submitted_total", Text::kCounter, "Tasks submitted to the coordinator.");
  m.Sample("huddle_tasks_submitted_total", {}, submitted_total_);
  std::map<std::string, size_t> phases;
  for (TaskPhase p :
       {TaskPhase::kPending, TaskPhase::kStarting, TaskPhase::kRunning, TaskPhase::kStopping,
        TaskPhase::kSucceeded, TaskPhase::kFailed, TaskPhase::kCancelled}) {
    phases[std::string(TaskPhaseName(p))] = 0;
  }
  for (const auto& [id, r] : tasks_) {
    const core::TaskEntry* e = ledger_.Find(id);
    if (e != nullptr) ++phases[std::string(TaskPhaseName(e->phase))];
  }
  m.Family("huddle_tasks", Text::kGauge, "Tasks the coordinator knows, by state.");
  for (const auto& [name, n] : phases) m.Sample("huddle_tasks", {{"state", name}}, n);
  size_t active = 0;
  size_t lost = 0;
  for (const auto& [id, w] : workers_) (w.lost ? lost : active) += 1;
  m.Family("huddle_task_workers", Text::kGauge, "Registered workers, by state.");
  m.Sample("huddle_task_workers", {{"state", "active"}}, active);
  m.Sample("huddle_task_workers", {{"state", "lost"}}, lost);
  m.Family("huddle_task_worker_utilisation", Text::kGauge,
           "Latest utilisation of each active worker (0..1).");
  for (const auto& [id, w] : workers_) {
    if (w.lost) continue;
    // The name is the worker's own (registration): escaped by the writer.
    m.Sample("huddle_task_worker_utilisation",
             {{"worker", fmt::format("{}", id)}, {"name", w.profile.name}}, w.utilisation);
  }
  m.Family("huddle_task_migrations_total", Text::kCounter, "Migrations by how they ended.");
  m.Sample("huddle_task_migrations_total", {{"result", "initiated"}}, migrations_initiated_total_);
  m.Sample("huddle_task_migrations_total", {{"result", "successful"}},
           migrations_successful_total_);
  m.Sample("huddle_task_migrations_total", {{"result", "failed"}}, migrations_failed_total_);
  m.Family("huddle_task_migrations_active", Text::kGauge, "Migrations in flight.");
  m.Sample("huddle_task_migrations_active", {}, ledger_.active_migrations());
  m.Family("huddle_task_workers_lost_total", Text::kCounter,
           "Workers declared lost after missed heartbeats.");
  m.Sample("huddle_task_workers_lost_total", {}, workers_lost_total_);
  m.Family("huddle_balancer_rounds_total", Text::kCounter, "Balancing rounds run.");
  m.Sample("huddle_balancer_rounds_total", {}, rounds_);
  if (last_round_) {
    const core::BalanceRound& r = last_round_->round;
    m.Family("huddle_balancer_system_load", Text::kGauge, "System load of the last round.");
    m.Sample("huddle_balancer_system_load", {}, r.system_load);
    m.Family("huddle_balancer_imbalance_score", Text::kGauge, "Imbalance score of the last round.");
    m.Sample("huddle_balancer_imbalance_score", {}, r.imbalance_score);
    m.Family("huddle_balancer_threshold", Text::kGauge,
             "Utilisation thresholds of the last round, by bound.");
    m.Sample("huddle_balancer_threshold", {{"bound", "high"}}, r.threshold_high);
    m.Sample("huddle_balancer_threshold", {{"bound", "low"}}, r.threshold_low);
    m.Family("huddle_balancer_prediction_confidence", Text::kGauge,
             "Confidence of the last round's load prediction.");
    m.Sample("huddle_balancer_prediction_confidence", {}, r.prediction_confidence);
  }
  return m.Text();
}

}  // namespace huddle::taskd
