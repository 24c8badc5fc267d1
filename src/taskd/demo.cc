#include "taskd/demo.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <thread>

#include "taskd/coordinator_service.h"

namespace huddle::taskd {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A worker child process: this binary run as `huddle tasks worker ...`.
pid_t SpawnWorker(const std::string& coordinator_url, const std::string& name) {
  std::vector<std::string> args = {"/proc/self/exe",
                                   "tasks",
                                   "worker",
                                   "--coordinator",
                                   coordinator_url,
                                   "--name",
                                   name,
                                   "--cores",
                                   "2",
                                   "--memory-gb",
                                   "4",
                                   "--synthetic",
                                   "sleep",
                                   "--poll-interval",
                                   "200ms",
                                   "--fence-after",
                                   "1s",
                                   "--stop-delay",
                                   "2s"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    // Quiet child: its output would interleave with the demo's.
    FILE* null = std::fopen("/dev/null", "w");
    if (null != nullptr) ::dup2(fileno(null), 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

void Reap(pid_t pid, int signal) {
  if (pid <= 0) return;
  ::kill(pid, signal);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

template <typename F>
bool WaitFor(F condition, std::chrono::seconds deadline) {
  const auto end = Clock::now() + deadline;
  while (Clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

}  // namespace

int RunDemoCommand(int argc, char** argv) {
  CLI::App app{"A coordinator and three workers on loopback; ends by itself.", "huddle tasks demo"};
  CLI11_PARSE(app, argc, argv);
  const auto dir =
      std::filesystem::temp_directory_path() / ("huddle-tasks-demo-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto config = ParseCoordinatorConfig(
      "listen: 127.0.0.1:0\nheartbeat_interval: 200ms\nheartbeat_timeout: 2s\n"
      "tick_interval: 50ms\ncheck_interval: 1s\n"
      "history: sqlite:" +
          (dir / "history.sqlite").string() +
          "\n"
          "planner: {max_simultaneous_migrations: 1}\n"
          "commands: {allow: [uname]}\n"
          "ledger: {start_timeout: 5s, cancel_timeout: 3s, migration_timeout: 60s}\n",
      "demo");
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 1;
  }
  CoordinatorService service(*config);
  if (auto port = service.Start(); !port) {
    std::cerr << "huddle tasks demo: " << port.error().message << "\n";
    return 1;
  }
  Coordinator& c = service.coordinator();
  const auto t0 = Clock::now();
  auto say = [&](const std::string& text) {
    std::cout << fmt::format("[{:5.1f} s] {}", core::ToSeconds(Clock::now() - t0), text)
              << std::endl;
  };
  say("coordinator on " + service.url() + "  (try: curl -H \"Authorization: Bearer $(cat " +
      service.token_file() + ")\" " + service.url() +
      "/api/stats, /api/tasks, /api/migrations, /metrics)");
  std::map<std::string, pid_t> workers;
  workers["w1"] = SpawnWorker(service.url(), "w1");
  if (!WaitFor([&] { return c.WorkerByName("w1").has_value(); }, std::chrono::seconds(10))) {
    say("w1 did not register");
    Reap(workers["w1"], SIGKILL);
    return 1;
  }
  say("worker w1 registered (2 cores, 4 GB); submitting 2 synthetic tasks (8 s, 2 GB each) and a "
      "command task");
  TaskSpec synthetic;
  synthetic.kind = TaskKind::kSynthetic;
  synthetic.duration = std::chrono::seconds(8);
  synthetic.requirements.memory_gb = 2;
  synthetic.group = "synthetic";
  for (int i = 0; i < 2; ++i) {
    synthetic.name = fmt::format("decode-{}", i + 1);
    (void)c.Submit(synthetic, Clock::now());
  }
  TaskSpec command;
  command.kind = TaskKind::kCommand;
  command.name = "uname";
  command.argv = {"uname", "-sr"};
  command.group = "uname";
  (void)c.Submit(command, Clock::now());
  WaitFor([&] { return c.TaskCounts()["running"] >= 2; }, std::chrono::seconds(10));
  say("w1 runs both synthetic tasks: utilisation (cpu 1.0 + memory 1.0) / 2 = 1.0");
  workers["w2"] = SpawnWorker(service.url(), "w2");
  workers["w3"] = SpawnWorker(service.url(), "w3");
  WaitFor([&] { return c.WorkerByName("w2") && c.WorkerByName("w3"); }, std::chrono::seconds(10));
  say("workers w2 and w3 registered (idle): the planner sees 1.0 against 0.0");
  const bool migrating =
      WaitFor([&] { return c.TaskCounts()["stopping"] >= 1; }, std::chrono::seconds(15));
  if (migrating) {
    const json m = c.MigrationsJson().back();
    say(
        fmt::format("migration {} in flight: task {} from worker {} to worker {} (net benefit "
                    "{:.2f}); w1 is saving its state (2 s)",
                    m["id"].get<int>(), m["task"].get<int>(), m["source"].get<int>(),
                    m["target"].get<int>(), m["net_benefit"].get<double>()));
    say("killing w1 with SIGKILL in the middle of the migration");
    Reap(workers["w1"], SIGKILL);
    workers.erase("w1");
  } else {
    say("the planner started no migration (unexpected); continuing");
  }
  const bool done = WaitFor(
      [&] {
        auto n = c.TaskCounts();
        return n["succeeded"] + n["failed"] == 3;
      },
      std::chrono::seconds(40));
  say(done ? "every task finished" : "timed out waiting for the tasks");
  std::cout << "\ntasks:\n";
  for (const json& t : c.TasksJson("")) {
    const json full = *c.TaskJson(t["id"].get<core::TaskId>());
    std::string runs;
    for (const json& r : full["runs"]) {
      runs += fmt::format(
          " [worker {} {:.1f}-{}]", r["worker"].get<int>(), r["started_s"].get<double>(),
          r["ended_s"].is_null() ? std::string("?")
                                 : fmt::format("{:.1f}", r["ended_s"].get<double>()));
    }
    std::string output;
    if (full["result"].is_object()) output = full["result"]["output"].get<std::string>();
    while (!output.empty() && output.back() == '\n') output.pop_back();
    std::cout << fmt::format("  {:>3} {:<9} {:<10} runs:{}{}\n", t["id"].get<int>(),
                             t["name"].get<std::string>(), t["state"].get<std::string>(), runs,
                             output.empty() ? "" : "  output: " + output);
  }
  std::cout << "\nmigrations:\n";
  for (const json& m : c.MigrationsJson()) {
    std::cout << fmt::format("  {} task {} worker {} -> {}: {} (downtime {:.0f} ms)\n",
                             m["id"].get<int>(), m["task"].get<int>(), m["source"].get<int>(),
                             m["target"].get<int>(), m["result"].get<std::string>(),
                             m["downtime_ms"].get<double>());
  }
  std::cout << "\nworkers:\n";
  for (const json& w : c.WorkersJson()) {
    std::cout << fmt::format("  {} {} {}\n", w["id"].get<int>(), w["name"].get<std::string>(),
                             w["state"].get<std::string>());
  }
  const json stats = c.StatsJson();
  for (auto& [name, pid] : workers) Reap(pid, SIGTERM);
  service.Stop();
  std::cout << fmt::format(
      "\nbalancer: {} rounds, {} history rows in {}, migrations initiated {} successful {}\n",
      service.rounds(), service.history_rows(), (dir / "history.sqlite").string(),
      stats["migrations"]["initiated"].dump(), stats["migrations"]["successful"].dump());
  const auto counts = c.TaskCounts();
  const bool none_lost = counts.count("succeeded") && counts.at("succeeded") == 3;
  std::cout << (none_lost ? "no task lost: all 3 succeeded\n" : "SOME TASK DID NOT SUCCEED\n");
  std::filesystem::remove_all(dir);
  return none_lost ? 0 : 1;
}

}  // namespace huddle::taskd
