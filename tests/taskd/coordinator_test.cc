#include "taskd/coordinator.h"

#include <gtest/gtest.h>

#include "taskd/protocol.h"

namespace huddle::taskd {
namespace {

using core::FromSeconds;
using core::TaskId;
using core::TimePoint;
using core::WorkerId;

TimePoint At(double s) { return TimePoint{} + FromSeconds(s); }

TaskSpec Synthetic(double seconds) {
  TaskSpec s;
  s.kind = TaskKind::kSynthetic;
  s.duration = FromSeconds(seconds);
  s.group = "synthetic";
  return s;
}

WorkerProfile Profile(const std::string& name, int cores = 2) {
  WorkerProfile p;
  p.name = name;
  p.cores = cores;
  p.memory_gb = 8;
  return p;
}

// A scripted worker: remembers the commands it applied and builds its polls.
struct FakeWorker {
  WorkerId id = 0;
  std::string secret;
  uint64_t acked = 0;
  uint64_t next_report = 1;
  std::vector<WorkerReport> unacked;
  std::vector<TaskId> running;
  std::vector<WorkerCommand> applied;

  void Report(WorkerReport::Type type, TaskId task, uint64_t attempt, bool ok = true) {
    WorkerReport r{.seq = next_report++, .type = type, .task = task, .attempt = attempt};
    r.result.ok = ok;
    unacked.push_back(r);
  }
  // Polls; applies new commands (Start -> running + Started, Cancel -> Stopped) when `obey`.
  PollResponse Poll(Coordinator& c, TimePoint now, double cpu, bool obey = true) {
    PollRequest req;
    req.command_ack = acked;
    req.usage.cpu = cpu;
    req.usage.memory = cpu;
    req.running = running;
    req.reports = unacked;
    auto polled = c.Poll(id, secret, req, now);
    if (!polled) {
      ADD_FAILURE() << polled.error().message;
      return {};
    }
    PollResponse resp = *polled;
    std::erase_if(unacked, [&](const WorkerReport& r) { return r.seq <= resp.report_ack; });
    if (!obey) return resp;
    for (const WorkerCommand& cmd : resp.commands) {
      if (cmd.seq <= acked) continue;
      acked = cmd.seq;
      applied.push_back(cmd);
      if (cmd.kind == core::TaskCommand::Kind::kStart) {
        running.push_back(cmd.task);
        Report(WorkerReport::Type::kStarted, cmd.task, cmd.attempt);
      } else {
        std::erase(running, cmd.task);
        Report(WorkerReport::Type::kStopped, cmd.task, cmd.attempt);
      }
    }
    return resp;
  }
  void Join(Coordinator& c, const WorkerProfile& profile, TimePoint now) {
    secret = "secret-of-" + profile.name;
    auto registered = c.Register(profile, secret, now);
    ASSERT_TRUE(registered.has_value()) << registered.error().message;
    id = *registered;
  }
  void Finish(TaskId task, uint64_t attempt) {
    std::erase(running, task);
    Report(WorkerReport::Type::kFinished, task, attempt);
  }
};

CoordinatorOptions Options() {
  CoordinatorOptions o;
  o.heartbeat_timeout = FromSeconds(3);
  o.ledger.start_timeout = FromSeconds(5);
  o.ledger.cancel_timeout = FromSeconds(5);
  return o;
}

std::string State(const Coordinator& c, TaskId id) { return (*c.TaskJson(id))["state"]; }

TEST(CoordinatorTest, RunsATaskToCompletionAndKeepsItsResult) {
  Coordinator c(Options(), At(0));
  FakeWorker w;
  w.Join(c, Profile("a"), At(0));
  const TaskId id = *c.Submit(Synthetic(1), At(0));
  w.Poll(c, At(0.1), 0.1);
  ASSERT_EQ(w.applied.size(), 1u);
  EXPECT_EQ(w.applied[0].kind, core::TaskCommand::Kind::kStart);
  EXPECT_EQ(w.applied[0].spec.duration, FromSeconds(1));
  w.Poll(c, At(0.2), 0.5);  // delivers Started
  EXPECT_EQ(State(c, id), "running");
  w.Finish(id, w.applied[0].attempt);
  w.Poll(c, At(1.5), 0.1);
  EXPECT_EQ(State(c, id), "succeeded");
  const auto task = *c.TaskJson(id);
  EXPECT_TRUE(task["result"]["ok"].get<bool>());
  ASSERT_EQ(task["runs"].size(), 1u);
  EXPECT_DOUBLE_EQ(task["runs"][0]["started_s"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(task["runs"][0]["ended_s"].get<double>(), 1.5);
}

TEST(CoordinatorTest, RedeliversUnacknowledgedCommandsAndIgnoresResentReports) {
  Coordinator c(Options(), At(0));
  FakeWorker w;
  w.Join(c, Profile("a"), At(0));
  const TaskId id = *c.Submit(Synthetic(1), At(0));
  // The first response is lost: the worker never saw it and acknowledges nothing.
  PollResponse lost = w.Poll(c, At(0.1), 0, /*obey=*/false);
  ASSERT_EQ(lost.commands.size(), 1u);
  PollResponse again = w.Poll(c, At(0.2), 0);
  ASSERT_EQ(again.commands.size(), 1u);
  EXPECT_EQ(again.commands[0].seq, lost.commands[0].seq);
  // The Started report is sent twice (its acknowledgement was lost): applied once.
  const WorkerReport started = w.unacked.at(0);
  w.Poll(c, At(0.3), 0);
  w.unacked.push_back(started);
  w.Poll(c, At(0.4), 0);
  EXPECT_EQ(State(c, id), "running");
  EXPECT_EQ((*c.TaskJson(id))["runs"].size(), 1u);
  EXPECT_EQ((*c.TaskJson(id))["attempt"], 1);
}

TEST(CoordinatorTest, MissedHeartbeatsMarkAWorkerLostAndRequeueItsTasks) {
  Coordinator c(Options(), At(0));
  FakeWorker a;
  a.Join(c, Profile("a", 4), At(0));
  const TaskId id = *c.Submit(Synthetic(100), At(0));
  a.Poll(c, At(0.1), 0);
  a.Poll(c, At(0.2), 0.5);
  EXPECT_EQ(State(c, id), "running");
  FakeWorker b;
  b.Join(c, Profile("b", 4), At(1));
  b.Poll(c, At(2), 0);
  c.Tick(At(3.1));  // a was last seen at 0.2: 2.9 s ago, under the 3 s timeout
  EXPECT_EQ((*c.TaskJson(id))["worker"], a.id);
  c.Tick(At(3.3));
  EXPECT_NE((*c.TaskJson(id))["worker"], a.id);
  b.Poll(c, At(3.4), 0);
  b.Poll(c, At(3.5), 0);
  EXPECT_EQ(State(c, id), "running");
  EXPECT_EQ((*c.TaskJson(id))["worker"], b.id);
  // The lost worker is told so, and must register again.
  EXPECT_TRUE(a.Poll(c, At(3.6), 0).lost);
  const auto workers = c.WorkersJson();
  EXPECT_EQ(workers[0]["state"], "lost");
  EXPECT_EQ(c.StatsJson()["workers_lost_total"], 1);
}

// Loads one worker fully and leaves the other idle, so that the planner sees a current imbalance
// (max 1.0 > 0.85, min 0 < 0.2, gap 1.0 > 0.4) and moves one task.
// One migration at a time, so that each test follows exactly one.
CoordinatorOptions OneAtATime() {
  CoordinatorOptions o = Options();
  o.planner.max_simultaneous_migrations = 1;
  return o;
}

struct Imbalanced {
  Coordinator c{OneAtATime(), At(0)};
  FakeWorker a;
  FakeWorker b;
  std::vector<TaskId> tasks;

  Imbalanced() {
    a.Join(c, Profile("a", 2), At(0));
    tasks.push_back(*c.Submit(Synthetic(100), At(0)));
    tasks.push_back(*c.Submit(Synthetic(100), At(0)));
    a.Poll(c, At(0.1), 0);
    a.Poll(c, At(0.2), 1.0);
    b.Join(c, Profile("b", 2), At(0.5));
    b.Poll(c, At(0.6), 0);
  }
  // The one task the planner chose, from the cancel command a received.
  TaskId Migrated() const {
    for (const WorkerCommand& cmd : a.applied) {
      if (cmd.kind == core::TaskCommand::Kind::kCancel) return cmd.task;
    }
    return 0;
  }
};

TEST(CoordinatorTest, PlannerMigratesThroughTheProtocol) {
  Imbalanced s;
  const BalanceRecord round = s.c.Balance(At(1));
  EXPECT_TRUE(round.round.current_imbalance);
  ASSERT_EQ(round.migrations_initiated, 1);
  s.a.Poll(s.c, At(1.1), 1.0);  // receives Cancel, reports Stopped next poll
  const TaskId moved = s.Migrated();
  ASSERT_NE(moved, 0u);
  EXPECT_EQ(State(s.c, moved), "stopping");
  s.a.Poll(s.c, At(1.2), 0.5);  // Stopped delivered: the ledger starts it on b
  EXPECT_EQ(State(s.c, moved), "starting");
  s.b.Poll(s.c, At(1.3), 0);
  s.b.Poll(s.c, At(1.4), 0.5);  // Started delivered
  EXPECT_EQ(State(s.c, moved), "running");
  EXPECT_EQ((*s.c.TaskJson(moved))["worker"], s.b.id);
  const auto migrations = s.c.MigrationsJson();
  ASSERT_EQ(migrations.size(), 1u);
  EXPECT_EQ(migrations[0]["result"], "moved");
  EXPECT_EQ(migrations[0]["origin"], "planner");
  EXPECT_DOUBLE_EQ(migrations[0]["downtime_ms"].get<double>(), 400.0);  // cancel 1.0 -> start 1.4
  const BalanceRecord next = s.c.Balance(At(2));
  EXPECT_EQ(next.migrations_successful, 1);
  // Runs never overlap: a's run ended before b's began.
  const auto runs = (*s.c.TaskJson(moved))["runs"];
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_LE(runs[0]["ended_s"].get<double>(), runs[1]["started_s"].get<double>());
}

TEST(CoordinatorTest, SourceKilledMidMigrationStartsTheTaskOnceOnTheTarget) {
  Imbalanced s;
  ASSERT_EQ(s.c.Balance(At(1)).migrations_initiated, 1);
  s.a.Poll(s.c, At(1.1), 1.0, /*obey=*/false);  // a dies before acting on the Cancel
  const auto in_flight = s.c.MigrationsJson();
  const TaskId moved = in_flight[0]["task"];
  EXPECT_EQ(State(s.c, moved), "stopping");
  s.b.Poll(s.c, At(2), 0);
  s.b.Poll(s.c, At(3), 0);
  EXPECT_TRUE(s.b.applied.empty());  // nothing starts while a may still run it
  s.c.Tick(At(4.2));                 // a missed its heartbeats: lost
  s.b.Poll(s.c, At(4.3), 0);
  s.b.Poll(s.c, At(4.4), 0.5);
  // Both of a's tasks now run on b, each exactly once.
  for (TaskId t : s.tasks) {
    EXPECT_EQ(State(s.c, t), "running") << t;
    EXPECT_EQ((*s.c.TaskJson(t))["worker"], s.b.id);
    EXPECT_EQ(std::count(s.b.running.begin(), s.b.running.end(), t), 1);
  }
  EXPECT_EQ(s.c.MigrationsJson()[0]["result"], "moved");
}

TEST(CoordinatorTest, TargetKilledMidMigrationRequeuesTheTask) {
  Imbalanced s;
  ASSERT_EQ(s.c.Balance(At(1)).migrations_initiated, 1);
  s.a.Poll(s.c, At(1.1), 1.0);
  s.a.Poll(s.c, At(1.2), 0.5);  // stopped on a; Start queued for b, which is dead
  const TaskId moved = s.Migrated();
  EXPECT_EQ(State(s.c, moved), "starting");
  for (double t = 1.5; t < 4.5; t += 0.5) s.a.Poll(s.c, At(t), 0.5);
  s.c.Tick(At(4.5));  // b (last seen 0.6) is lost: the task goes back to a
  s.a.Poll(s.c, At(4.6), 0.5);
  s.a.Poll(s.c, At(4.7), 1.0);
  EXPECT_EQ(State(s.c, moved), "running");
  EXPECT_EQ((*s.c.TaskJson(moved))["worker"], s.a.id);
  EXPECT_EQ(s.c.MigrationsJson()[0]["result"], "target_lost");
}

TEST(CoordinatorTest, CancelStopsARunningTask) {
  Coordinator c(Options(), At(0));
  FakeWorker w;
  w.Join(c, Profile("a"), At(0));
  const TaskId id = *c.Submit(Synthetic(100), At(0));
  w.Poll(c, At(0.1), 0);
  w.Poll(c, At(0.2), 0.5);
  ASSERT_TRUE(c.Cancel(id, At(0.3)).has_value());
  EXPECT_EQ(State(c, id), "stopping");
  w.Poll(c, At(0.4), 0.5);
  w.Poll(c, At(0.5), 0);
  EXPECT_EQ(State(c, id), "cancelled");
  EXPECT_FALSE(c.Cancel(id, At(0.6)).has_value());
}

TEST(CoordinatorTest, SchedulesOnlyWhereRequirementsFit) {
  Coordinator c(Options(), At(0));
  FakeWorker cpu;
  cpu.Join(c, Profile("cpu"), At(0));
  WorkerProfile gpu_profile = Profile("gpu");
  gpu_profile.hardware = core::HardwareSet{core::HardwareType::kCpu, core::HardwareType::kCuda};
  gpu_profile.primary = core::HardwareType::kCuda;
  gpu_profile.cuda_compute = 8.6;
  FakeWorker gpu;
  gpu.Join(c, gpu_profile, At(0));
  TaskSpec needs_cuda = Synthetic(1);
  needs_cuda.requirements.hardware = core::HardwareSet{core::HardwareType::kCuda};
  needs_cuda.requirements.min_cuda_compute = 8.0;
  const TaskId id = *c.Submit(needs_cuda, At(0));
  TaskSpec too_big = Synthetic(1);
  too_big.requirements.memory_gb = 64;
  const TaskId big = *c.Submit(too_big, At(0));
  cpu.Poll(c, At(0.1), 0);
  gpu.Poll(c, At(0.1), 0);
  EXPECT_TRUE(cpu.applied.empty());
  ASSERT_EQ(gpu.applied.size(), 1u);
  EXPECT_EQ(gpu.applied[0].task, id);
  EXPECT_EQ(State(c, big), "pending");
}

TEST(CoordinatorTest, StatsAndMetricsDescribeTheBalancer) {
  Imbalanced s;
  s.c.Balance(At(1));
  const auto stats = s.c.StatsJson();
  EXPECT_EQ(stats["worker_count"], 2);
  EXPECT_EQ(stats["migrations"]["initiated"], 1);
  EXPECT_EQ(stats["active_migrations"], 1);
  EXPECT_DOUBLE_EQ(stats["thresholds"]["initial_high"].get<double>(), 0.85);
  EXPECT_DOUBLE_EQ(stats["imbalance_score"].get<double>(), 1.0);
  EXPECT_TRUE(stats["features"]["predictive_balancing"].get<bool>());
  const std::string metrics = s.c.PrometheusText();
  EXPECT_NE(metrics.find("huddle_tasks{state=\"running\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("huddle_tasks{state=\"stopping\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("huddle_task_migrations_active 1"), std::string::npos);
  EXPECT_NE(metrics.find("huddle_balancer_imbalance_score 1"), std::string::npos);
}

// Finding 6 of issue 13: anyone with the shared token could register a second worker under a
// taken name and poll as another worker's id, receiving its tasks.
TEST(CoordinatorTest, APollNeedsTheWorkersOwnSecret) {
  Coordinator c(Options(), At(0));
  FakeWorker w;
  w.Join(c, Profile("a"), At(0));
  const TaskId id = *c.Submit(Synthetic(1), At(0));
  PollRequest thief;
  for (const std::string& secret : {std::string(), std::string("secret-of-b"), w.secret + "x"}) {
    auto stolen = c.Poll(w.id, secret, thief, At(0.1));
    ASSERT_FALSE(stolen.has_value()) << "a poll with secret '" << secret << "' was accepted";
  }
  EXPECT_EQ(State(c, id), "starting");  // the refused polls acknowledged nothing
  w.Poll(c, At(0.2), 0);
  ASSERT_EQ(w.applied.size(), 1u);
  EXPECT_EQ(w.applied[0].task, id);
  // An unknown id is told it is lost, and receives nothing.
  auto unknown = c.Poll(w.id + 100, "", thief, At(0.3));
  ASSERT_TRUE(unknown.has_value());
  EXPECT_TRUE(unknown->lost);
  EXPECT_TRUE(unknown->commands.empty());
}

TEST(CoordinatorTest, ATakenNameIsRefusedUnlessTheSameWorkerComesBack) {
  Coordinator c(Options(), At(0));
  FakeWorker w;
  w.Join(c, Profile("a"), At(0));
  EXPECT_FALSE(c.Register(Profile("a"), "another-secret", At(0.1)).has_value());
  EXPECT_FALSE(c.Register(Profile("a"), "another-secret", At(0.1), "a-guess").has_value());
  EXPECT_FALSE(c.Register(Profile("a"), "", At(0.1)).has_value());
  // The worker itself, after fencing, presents its old secret: the old id is declared lost.
  auto again = c.Register(Profile("a"), "new-secret", At(0.2), w.secret);
  ASSERT_TRUE(again.has_value());
  EXPECT_NE(*again, w.id);
  EXPECT_TRUE(w.Poll(c, At(0.3), 0).lost);
  EXPECT_EQ(c.WorkerByName("a"), *again);
}

// Finding 1 of issue 13: the coordinator ran any command for anyone who could submit a task.
TEST(CoordinatorTest, CommandTasksNeedTheirExecutableInTheAllowList) {
  TaskSpec command;
  command.kind = TaskKind::kCommand;
  command.argv = {"/bin/sh", "-c", "touch /tmp/pwned"};
  Coordinator closed(Options(), At(0));
  EXPECT_FALSE(closed.Submit(command, At(0)).has_value());
  EXPECT_TRUE(closed.Submit(Synthetic(1), At(0)).has_value());

  CoordinatorOptions o = Options();
  o.command_allow = {"/bin/echo"};
  Coordinator open(o, At(0));
  EXPECT_FALSE(open.Submit(command, At(0)).has_value());
  command.argv = {"echo", "hi"};  // the allow-list compares argv[0] exactly: no PATH lookup
  EXPECT_FALSE(open.Submit(command, At(0)).has_value());
  command.argv = {};
  EXPECT_FALSE(open.Submit(command, At(0)).has_value());
  command.argv = {"/bin/echo", "hi"};
  EXPECT_TRUE(open.Submit(command, At(0)).has_value());
  EXPECT_EQ(open.TaskCounts()["pending"], 1u);
}

}  // namespace
}  // namespace huddle::taskd
