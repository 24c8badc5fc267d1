// End-to-end tests on loopback: an in-process CoordinatorService (port 0) and worker agents in
// child processes of this binary, which the tests kill with SIGKILL.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "child_process.h"
#include "common/signals.h"
#include "taskd/coordinator_service.h"
#include "taskd/http_client.h"
#include "taskd/worker_agent.h"

namespace huddle::taskd {
namespace {

using nlohmann::json;
using testing_support::ChildProcess;
using Clock = std::chrono::steady_clock;

// Waits for `condition` with a deadline, polling every 20 ms.
template <typename F>
bool WaitFor(F condition, std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  while (Clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

// The worker process: runs only as a child (HUDDLE_TASKD_CHILD_URL set), until killed.
TEST(TaskdChild, Worker) {
  const char* url = std::getenv("HUDDLE_TASKD_CHILD_URL");
  if (url == nullptr) GTEST_SKIP() << "runs only as a child process of the service tests";
  common::BlockControlSignals();
  WorkerAgentOptions o;
  o.coordinator_url = url;
  o.token = std::getenv("HUDDLE_TASKD_CHILD_TOKEN");
  o.profile.name = std::getenv("HUDDLE_TASKD_CHILD_NAME");
  o.profile.cores = std::atoi(std::getenv("HUDDLE_TASKD_CHILD_CORES"));
  o.profile.memory_gb = 4;
  o.executor.slots = o.profile.cores;
  o.executor.stop_delay =
      std::chrono::milliseconds(std::atoi(std::getenv("HUDDLE_TASKD_CHILD_STOP_MS")));
  o.executor.spin = false;
  o.fence_after = std::chrono::seconds(1);
  WorkerAgent agent(o);
  ASSERT_TRUE(agent.Start().has_value());
  common::WaitForStopSignal(std::chrono::seconds(90));
  agent.Stop();
}

class ServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("huddle-taskd-service-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    // Generated tokens go to a directory of this test, not the user's.
    ::setenv("HUDDLE_TOKEN_DIR", (dir_ / "tokens").c_str(), 1);
  }
  void TearDown() override {
    workers_.clear();
    if (service_) service_->Stop();
    std::filesystem::remove_all(dir_);
  }

  // No token in the configuration: the coordinator generates one (the default), which the
  // workers and Call() present.
  void StartCoordinator(int max_simultaneous, const std::string& extra = "") {
    auto config = ParseCoordinatorConfig(
        extra +
            "listen: 127.0.0.1:0\n"
            "commands: {allow: [/bin/echo, /bin/sh, /bin/sleep, /usr/bin/python3]}\n"
            "heartbeat_interval: 100ms\n"
            "heartbeat_timeout: 1500ms\n"
            "tick_interval: 50ms\n"
            "check_interval: 300ms\n"
            "history: sqlite:" +
            (dir_ / "history.sqlite").string() +
            "\n"
            "planner:\n"
            "  max_simultaneous_migrations: " +
            std::to_string(max_simultaneous) +
            "\n"
            "ledger: {start_timeout: 5s, cancel_timeout: 2s, migration_timeout: 60s}\n",
        "test");
    ASSERT_TRUE(config.has_value()) << config.error().message;
    service_ = std::make_unique<CoordinatorService>(*config);
    auto port = service_->Start();
    ASSERT_TRUE(port.has_value()) << port.error().message;
    url_ = *ParseHttpUrl(service_->url());
  }

  void StartWorker(const std::string& name, int cores, int stop_ms) {
    workers_[name] = std::make_unique<ChildProcess>(
        "TaskdChild.Worker", std::map<std::string, std::string>{
                                 {"HUDDLE_TASKD_CHILD_URL", service_->url()},
                                 {"HUDDLE_TASKD_CHILD_TOKEN", service_->token()},
                                 {"HUDDLE_TASKD_CHILD_NAME", name},
                                 {"HUDDLE_TASKD_CHILD_CORES", std::to_string(cores)},
                                 {"HUDDLE_TASKD_CHILD_STOP_MS", std::to_string(stop_ms)}});
    ASSERT_TRUE(WaitFor([&] { return service_->coordinator().WorkerByName(name).has_value(); },
                        std::chrono::seconds(10)))
        << name << " did not register";
  }

  json Call(const std::string& method, const std::string& target, const json& body = {}) {
    auto r = HttpCall(url_, method, target, body.is_null() ? "" : body.dump(), service_->token(),
                      std::chrono::seconds(5));
    EXPECT_TRUE(r.has_value());
    if (!r) return nullptr;
    return json::parse(r->body, nullptr, false);
  }

  // One request with a raw body and extra headers; the status and body as received.
  HttpCallResult Raw(const std::string& method, const std::string& target, const std::string& body,
                     const std::string& token, const HttpHeaders& headers = {}) {
    auto r = HttpCall(url_, method, target, body, token, std::chrono::seconds(10), headers);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? *r : HttpCallResult{};
  }

  // A single-process task (so it dies with its worker) that holds an exclusive lock on a file
  // for its whole run: a second copy running at the same time fails to lock, logs DOUBLE and
  // exits 99. Every run logs start and end lines.
  json LockingTask(int id, double seconds, double memory_gb) {
    const std::string log = (dir_ / "runs.log").string();
    const std::string lock = (dir_ / ("task" + std::to_string(id) + ".lock")).string();
    const std::string script =
        "import fcntl, sys, time\n"
        "f = open('" +
        lock +
        "', 'w')\n"
        "try:\n"
        "    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "except OSError:\n"
        "    open('" +
        log + "', 'a').write('DOUBLE " + std::to_string(id) +
        "\\n'); sys.exit(99)\n"
        "open('" +
        log + "', 'a').write('start " + std::to_string(id) +
        "\\n')\n"
        "time.sleep(" +
        std::to_string(seconds) +
        ")\n"
        "open('" +
        log + "', 'a').write('end " + std::to_string(id) + "\\n')\n";
    return {{"name", "lock-" + std::to_string(id)},
            {"kind", "command"},
            {"argv", {"/usr/bin/python3", "-c", script}},
            {"memory_gb", memory_gb},
            {"group", "locking"}};
  }

  std::map<std::string, int> LogCounts() {
    std::ifstream in(dir_ / "runs.log");
    std::map<std::string, int> counts;
    std::string kind;
    std::string id;
    while (in >> kind >> id) ++counts[kind + " " + id];
    return counts;
  }

  std::filesystem::path dir_;
  std::unique_ptr<CoordinatorService> service_;
  HttpUrl url_;
  std::map<std::string, std::unique_ptr<ChildProcess>> workers_;
};

TEST_F(ServiceTest, ApiSubmitsRunsAndReportsCommandTasks) {
  StartCoordinator(2);
  StartWorker("w1", 2, 0);
  const json submitted = Call("POST", "/api/tasks",
                              {{"tasks",
                                {{{"kind", "command"}, {"argv", {"/bin/echo", "hello"}}},
                                 {{"kind", "command"}, {"argv", {"/bin/sh", "-c", "exit 3"}}}}}});
  ASSERT_EQ(submitted["ids"].size(), 2u);
  const int ok_id = submitted["ids"][0];
  const int fail_id = submitted["ids"][1];
  ASSERT_TRUE(WaitFor(
      [&] {
        return Call("GET", "/api/tasks/" + std::to_string(fail_id))["state"] == "failed" &&
               Call("GET", "/api/tasks/" + std::to_string(ok_id))["state"] == "succeeded";
      },
      std::chrono::seconds(10)));
  const json ok = Call("GET", "/api/tasks/" + std::to_string(ok_id));
  EXPECT_EQ(ok["result"]["output"], "hello\n");
  EXPECT_EQ(ok["result"]["exit_code"], 0);
  EXPECT_EQ(Call("GET", "/api/tasks/" + std::to_string(fail_id))["result"]["exit_code"], 3);
  EXPECT_EQ(Call("GET", "/api/tasks?state=succeeded").size(), 1u);
  EXPECT_EQ(Call("GET", "/api/workers")[0]["name"], "w1");
  EXPECT_EQ(Call("POST", "/api/tasks", {{"kind", "nope"}})["error"],
            "task 0: kind must be command or synthetic, not 'nope'");
  auto metrics = HttpCall(url_, "GET", "/metrics", "", service_->token(), std::chrono::seconds(5));
  ASSERT_TRUE(metrics.has_value());
  EXPECT_NE(metrics->body.find("huddle_tasks{state=\"succeeded\"} 1"), std::string::npos);
  EXPECT_TRUE(Call("GET", "/api/stats").contains("thresholds"));
}

TEST_F(ServiceTest, CancelStopsARunningCommand) {
  StartCoordinator(2);
  StartWorker("w1", 1, 0);
  const json submitted =
      Call("POST", "/api/tasks", {{"kind", "command"}, {"argv", {"/bin/sleep", "30"}}});
  const std::string path = "/api/tasks/" + std::to_string(submitted["ids"][0].get<int>());
  ASSERT_TRUE(
      WaitFor([&] { return Call("GET", path)["state"] == "running"; }, std::chrono::seconds(10)));
  EXPECT_EQ(Call("POST", path + "/cancel")["ok"], true);
  ASSERT_TRUE(
      WaitFor([&] { return Call("GET", path)["state"] == "cancelled"; }, std::chrono::seconds(10)));
}

// Finding 1 of issue 13: with no token (then the default) a text/plain POST with a foreign Origin
// created a command task that a worker ran. Now the token is generated, cross-origin requests are
// refused before the token is even looked at, and command tasks need the allow-list.
TEST_F(ServiceTest, ForeignRequestsAndUnlistedCommandsAreRefused) {
  StartCoordinator(2);
  ASSERT_EQ(service_->token().size(), 64u);
  ASSERT_FALSE(service_->token_file().empty());
  EXPECT_EQ(std::filesystem::status(service_->token_file()).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::ifstream file(service_->token_file());
  std::string stored;
  std::getline(file, stored);
  EXPECT_EQ(stored, service_->token());

  const std::string attack = R"({"kind": "command", "argv": ["/bin/sh", "-c", "id"]})";
  EXPECT_EQ(Raw("POST", "/api/tasks", attack, "", {{"Content-Type", "text/plain"}}).status, 401);
  EXPECT_EQ(Raw("POST", "/api/tasks", attack, service_->token() + "x").status, 401);
  const HttpCallResult cross =
      Raw("POST", "/api/tasks", attack, service_->token(), {{"Origin", "http://evil.example"}});
  EXPECT_EQ(cross.status, 403);
  EXPECT_EQ(json::parse(cross.body)["error"], "cross-origin requests are refused");
  // DNS rebinding: a page of evil.example re-bound to 127.0.0.1 sends its own name as Host.
  EXPECT_EQ(Raw("GET", "/api/tasks", "", service_->token(), {{"Host", "evil.example:80"}}).status,
            421);
  EXPECT_EQ(Raw("GET", "/", "", "", {{"Host", "evil.example"}}).status, 421);
  // /bin/id is not in commands.allow (the fixture lists echo, sh, sleep, python3).
  const HttpCallResult unlisted =
      Raw("POST", "/api/tasks",
          R"({"tasks": [{"kind": "synthetic", "duration": "1s"}, {"kind": "command",
          "argv": ["/usr/bin/id"]}]})",
          service_->token());
  EXPECT_EQ(unlisted.status, 403);
  EXPECT_EQ(json::parse(unlisted.body)["error"], "task 1: '/usr/bin/id' is not in commands.allow");
  EXPECT_TRUE(Call("GET", "/api/tasks").empty());  // nothing of the refused batch was queued
  // Same origin, with the token: accepted.
  const HttpCallResult same = Raw("GET", "/api/tasks", "", service_->token(),
                                  {{"Origin", "http://127.0.0.1:" + std::to_string(url_.port)},
                                   {"Host", "127.0.0.1:" + std::to_string(url_.port)}});
  EXPECT_EQ(same.status, 200);
  const std::string file_path = service_->token_file();
  service_->Stop();
  EXPECT_FALSE(std::filesystem::exists(file_path));  // the token died with the coordinator
}

TEST_F(ServiceTest, CommandTasksAreOffWithoutAnAllowList) {
  auto config = ParseCoordinatorConfig("listen: 127.0.0.1:0\ntoken: none\nhistory: ''\n", "test");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  service_ = std::make_unique<CoordinatorService>(*config);
  ASSERT_TRUE(service_->Start().has_value());
  url_ = *ParseHttpUrl(service_->url());
  EXPECT_TRUE(service_->token_file().empty());
  const HttpCallResult r =
      Raw("POST", "/api/tasks", R"({"kind": "command", "argv": ["/bin/echo"]})", "");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(json::parse(r.body)["error"],
            "task 0: command tasks are disabled (list the executables in commands.allow)");
  EXPECT_EQ(Raw("POST", "/api/tasks", R"({"kind": "synthetic", "duration": "1s"})", "").status,
            201);
}

TEST_F(ServiceTest, ANonLoopbackListenNeedsAToken) {
  for (const std::string& listen : {"0.0.0.0:0", "[::]:0"}) {
    auto config =
        ParseCoordinatorConfig("listen: '" + listen + "'\ntoken: none\nhistory: ''\n", "test");
    ASSERT_TRUE(config.has_value()) << config.error().message;
    CoordinatorService service(*config);
    auto started = service.Start();
    ASSERT_FALSE(started.has_value()) << listen << " started without a token";
    EXPECT_NE(started.error().message.find("only allowed on a loopback"), std::string::npos)
        << started.error().message;
  }
  auto short_token =
      ParseCoordinatorConfig("listen: 0.0.0.0:0\ntoken: secret\nhistory: ''\n", "test");
  ASSERT_TRUE(short_token.has_value());
  EXPECT_FALSE(CoordinatorService(*short_token).Start().has_value());
}

// Finding 6 of issue 13, over HTTP: registration answers a secret; a poll needs it, a second
// registration of a taken name is refused.
TEST_F(ServiceTest, WorkersProveTheirIdentityWithTheirSecret) {
  StartCoordinator(2);
  const std::string profile = R"({"name": "w1", "cores": 1, "memory_gb": 1})";
  const HttpCallResult first = Raw("POST", "/api/workers/register", profile, service_->token());
  ASSERT_EQ(first.status, 201) << first.body;
  const json reg = json::parse(first.body);
  const std::string secret = reg["worker_secret"];
  EXPECT_EQ(secret.size(), 64u);
  const std::string poll = "/api/workers/" + std::to_string(reg["worker_id"].get<int>()) + "/poll";
  EXPECT_EQ(Raw("POST", "/api/workers/register", profile, service_->token()).status, 409);
  EXPECT_EQ(Raw("POST", "/api/workers/register", profile, service_->token(),
                {{"X-Worker-Secret", "guess"}})
                .status,
            409);
  EXPECT_EQ(Raw("POST", poll, "{}", service_->token()).status, 403);
  EXPECT_EQ(Raw("POST", poll, "{}", service_->token(), {{"X-Worker-Secret", secret + "0"}}).status,
            403);
  const HttpCallResult own =
      Raw("POST", poll, "{}", service_->token(), {{"X-Worker-Secret", secret}});
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(json::parse(own.body)["lost"], false);
}

// Finding 2 of issue 13: 300 000 nested arrays in POST /api/tasks crashed the coordinator
// (SIGSEGV, unauthenticated). Now: 400 with a JSON error; too large a body: 413.
TEST_F(ServiceTest, DeeplyNestedOrHugeJsonGetsAnErrorNotACrash) {
  StartCoordinator(2);
  for (const std::string& path : {"/api/tasks", "/api/workers/register", "/api/waves"}) {
    const HttpCallResult deep =
        Raw("POST", path, std::string(300000, '[') + std::string(300000, ']'), service_->token());
    EXPECT_EQ(deep.status, 400) << path;
    EXPECT_EQ(json::parse(deep.body)["error"], "the JSON body nests deeper than 64 levels");
  }
  const HttpCallResult objects =
      Raw("POST", "/api/tasks", std::string(100000, '{'), service_->token());
  EXPECT_EQ(objects.status, 400);
  const std::string huge = R"({"name": ")" + std::string(2 * 1024 * 1024, 'x') + R"("})";
  const HttpCallResult big = Raw("POST", "/api/tasks", huge, service_->token());
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(json::parse(big.body)["error"], "the JSON body is larger than 1048576 bytes");
  EXPECT_EQ(Raw("GET", "/healthz", "", "").status, 200);
}

// The issue's test: a worker killed in the middle of a migration loses no task, and no task ever
// runs twice at once (checked by the tasks' own file locks).
TEST_F(ServiceTest, KilledSourceMidMigrationLosesNoTaskAndNeverRunsOneTwice) {
  StartCoordinator(1);
  // The source takes 3 s to stop a task (saving its state), which keeps the migration in flight.
  StartWorker("source", 2, 3000);
  // Two tasks filling its cores and memory: utilisation (cpu 1.0 + memory 1.0) / 2 = 1.0.
  const json ids = Call("POST", "/api/tasks",
                        {{"tasks", {LockingTask(1, 4.0, 2.0), LockingTask(2, 4.0, 2.0)}}})["ids"];
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(WaitFor([&] { return LogCounts()["start 1"] + LogCounts()["start 2"] == 2; },
                      std::chrono::seconds(10)));
  StartWorker("target1", 2, 0);
  StartWorker("target2", 2, 0);
  // The planner sees 1.0 against 0.0 and moves one task: wait until the source got the Cancel.
  json stopping;
  ASSERT_TRUE(WaitFor(
      [&] {
        stopping = Call("GET", "/api/tasks?state=stopping");
        return !stopping.empty();
      },
      std::chrono::seconds(10)));
  ASSERT_EQ(Call("GET", "/api/migrations")[0]["result"], "in_flight");
  workers_["source"]->Kill(SIGKILL);

  ASSERT_TRUE(WaitFor([&] { return Call("GET", "/api/tasks?state=succeeded").size() == 2u; },
                      std::chrono::seconds(30)))
      << Call("GET", "/api/tasks").dump(2);
  const auto counts = LogCounts();
  EXPECT_EQ(counts.count("DOUBLE 1") + counts.count("DOUBLE 2"), 0u);
  EXPECT_EQ(counts.at("end 1"), 1);
  EXPECT_EQ(counts.at("end 2"), 1);
  const json migrations = Call("GET", "/api/migrations");
  EXPECT_EQ(migrations[0]["result"], "moved") << migrations.dump(2);
  const json workers = Call("GET", "/api/workers");
  EXPECT_EQ(workers[0]["state"], "lost");
  // Each task's runs (as the coordinator saw them) never overlap.
  for (const json& id : ids) {
    const json runs = Call("GET", "/api/tasks/" + std::to_string(id.get<int>()))["runs"];
    for (size_t i = 1; i < runs.size(); ++i) {
      EXPECT_LE(runs[i - 1]["ended_s"].get<double>(), runs[i]["started_s"].get<double>());
    }
  }
  EXPECT_GT(service_->history_rows(), 0u);
  EXPECT_EQ(service_->history_errors(), 0u);
}

}  // namespace
}  // namespace huddle::taskd
