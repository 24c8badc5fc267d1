#include "taskd/commands.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/http/auth.h"
#include "common/signals.h"
#include "core/options.h"
#include "taskd/coordinator_config.h"
#include "taskd/coordinator_service.h"
#include "taskd/demo.h"
#include "taskd/evaluation.h"
#include "taskd/overlay_node.h"
#include "taskd/topology.h"
#include "taskd/wave_check.h"
#include "taskd/worker_agent.h"

namespace huddle {
namespace {

using taskd::WorkerAgentOptions;

constexpr const char* kUsage =
    "usage: huddle tasks <coordinator|worker|demo|evaluate|waves> [options]\n"
    "  coordinator -c FILE        run the task coordinator (HTTP API, balancing, history)\n"
    "  worker --coordinator URL   run a worker agent (see huddle tasks worker --help)\n"
    "  demo                       a coordinator and three workers on loopback; ends by itself\n"
    "  evaluate [--out FILE]      the seed's five scenarios in simulation, adaptive vs fixed\n"
    "  waves [--graphs N]         Echo and Finn over loopback HTTP on generated graphs\n";

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// The worker's token: --token; else the first line of --token-file; else, for a coordinator on
// this machine, the token file it generated (none there: no token, as with `token: none`).
core::Result<std::string> WorkerToken(const std::string& url, const std::string& token_file,
                                      const std::string& token) {
  if (!token.empty()) return token;
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    std::string line;
    if (!in || !std::getline(in, line) || line.empty()) {
      return core::Fail("no token in " + token_file);
    }
    return line;
  }
  auto parsed = taskd::ParseHttpUrl(url);
  if (!parsed) return std::unexpected(parsed.error());
  if (!http::IsLoopbackOrLocalhost(parsed->host)) return std::string();
  auto generated = http::ReadTokenFile("tasks", parsed->port);
  return generated ? *generated : std::string();
}

int RunCoordinator(int argc, char** argv) {
  CLI::App app{"The task coordinator.", "huddle tasks coordinator"};
  std::string config_path;
  std::string listen;
  std::string run_for;
  app.add_option("-c,--config", config_path, "YAML configuration (docs/taskd.md)");
  app.add_option("--listen", listen, "host:port, overrides the file's listen");
  app.add_option("--run-for", run_for, "exit after this long (e.g. 60s); default: until SIGTERM");
  CLI11_PARSE(app, argc, argv);
  auto config = config_path.empty() ? taskd::ParseCoordinatorConfig("", "<defaults>")
                                    : taskd::LoadCoordinatorConfig(config_path);
  if (!config) {
    std::cerr << "huddle tasks coordinator: " << config.error().message << "\n";
    return 2;
  }
  if (!listen.empty()) {
    auto hp = taskd::ParseHostPort(listen);
    if (!hp) {
      std::cerr << "huddle tasks coordinator: " << hp.error().message << "\n";
      return 2;
    }
    config->listen_host = hp->first;
    config->listen_port = hp->second;
  }
  core::Duration limit = std::chrono::hours(24 * 365);
  if (!run_for.empty()) {
    auto d = core::ParseDuration(run_for);
    if (!d) {
      std::cerr << "huddle tasks coordinator: --run-for: " << d.error().message << "\n";
      return 2;
    }
    limit = *d;
  }
  common::BlockControlSignals();
  taskd::CoordinatorService service(*config);
  auto port = service.Start();
  if (!port) {
    std::cerr << "huddle tasks coordinator: " << port.error().message << "\n";
    return 1;
  }
  std::cout << "coordinator listening on " << service.url() << std::endl;
  if (!service.token_file().empty()) {
    std::cout << "API token written to " << service.token_file()
              << " (mode 0600; workers on this machine read it from there)" << std::endl;
  }
  std::cout << "dashboard (topology: key 3) on " << service.url() << "/" << std::endl;
  common::WaitForStopSignal(limit);
  service.Stop();
  std::cout << "coordinator stopped after " << service.rounds() << " balancing rounds, "
            << service.history_rows() << " history rows" << std::endl;
  return 0;
}

int RunWorker(int argc, char** argv) {
  CLI::App app{"A task worker agent.", "huddle tasks worker"};
  WorkerAgentOptions o;
  std::string hardware = "cpu";
  std::string primary;
  std::string poll_interval;
  std::string fence_after = "3s";
  std::string stop_delay = "0s";
  std::string usage = "model";
  std::string synthetic = "spin";
  std::string topology;
  std::string wave_listen = "127.0.0.1:0";
  std::string run_for;
  app.add_option("--coordinator", o.coordinator_url, "coordinator URL, http://host:port")
      ->required();
  std::string token_file;
  app.add_option("--token", o.token, "bearer token of the coordinator's API");
  app.add_option("--token-file", token_file,
                 "file holding the token (default: the coordinator's generated token file, "
                 "for a coordinator on this machine)");
  app.add_option("--name", o.profile.name, "worker name");
  app.add_option("--hardware", hardware, "hardware it offers: cpu,cuda,rocm,mps,openvino,qnn,...");
  app.add_option("--primary", primary, "hardware profile for speed and energy (default: fastest)");
  app.add_option("--cores", o.profile.cores, "cores (task slots unless --max-tasks)");
  app.add_option("--memory-gb", o.profile.memory_gb, "memory in GB");
  app.add_option("--cuda-compute", o.profile.cuda_compute, "CUDA compute capability");
  app.add_option("--max-tasks", o.profile.max_tasks, "task slots (0 = one per core)");
  app.add_option("--poll-interval", poll_interval, "heartbeat interval (default: coordinator's)");
  app.add_option("--fence-after", fence_after, "stop tasks after this long without contact");
  app.add_option("--stop-delay", stop_delay, "time to save a task's state when cancelled");
  app.add_option("--usage", usage, "utilisation source: model or system");
  app.add_option("--synthetic", synthetic, "synthetic tasks: spin (busy core) or sleep");
  app.add_option("--topology", topology, "overlay topology file (overlay mode)");
  app.add_option("--node", o.profile.node, "this worker's node in the topology");
  app.add_option("--wave-listen", wave_listen, "host:port for wave messages (overlay mode)");
  app.add_option("--run-for", run_for, "exit after this long; default: until SIGTERM");
  CLI11_PARSE(app, argc, argv);

  auto fail = [](const std::string& m) {
    std::cerr << "huddle tasks worker: " << m << "\n";
    return 2;
  };
  if (auto token = WorkerToken(o.coordinator_url, token_file, o.token); token) {
    o.token = *token;
  } else {
    return fail(token.error().message);
  }
  o.profile.hardware = core::HardwareSet{};
  for (const std::string& h : SplitCommas(hardware)) {
    auto t = core::ParseHardware(h);
    if (!t) return fail("unknown hardware '" + h + "'");
    o.profile.hardware.Add(*t);
  }
  if (o.profile.hardware.Empty()) o.profile.hardware.Add(core::HardwareType::kCpu);
  o.profile.primary = core::HardwareType::kCpu;
  bool first = true;
  for (core::HardwareType t : core::kAllHardwareTypes) {
    if (!o.profile.hardware.Has(t)) continue;
    if (first || core::DefaultHardwareProfile(t).performance_weight >
                     core::DefaultHardwareProfile(o.profile.primary).performance_weight) {
      o.profile.primary = t;
    }
    first = false;
  }
  if (!primary.empty()) {
    auto t = core::ParseHardware(primary);
    if (!t) return fail("unknown primary hardware '" + primary + "'");
    o.profile.primary = *t;
    o.profile.hardware.Add(*t);
  }
  for (auto [text, out] :
       {std::pair{&poll_interval, &o.poll_interval}, std::pair{&fence_after, &o.fence_after},
        std::pair{&stop_delay, &o.executor.stop_delay}}) {
    if (text->empty()) continue;
    auto d = core::ParseDuration(*text);
    if (!d) return fail(d.error().message);
    *out = *d;
  }
  if (usage != "model" && usage != "system") return fail("--usage is model or system");
  o.usage = usage == "model" ? taskd::UsageSource::kModel : taskd::UsageSource::kSystem;
  if (synthetic != "spin" && synthetic != "sleep") return fail("--synthetic is spin or sleep");
  o.executor.spin = synthetic == "spin";
  o.executor.slots = o.profile.max_tasks > 0 ? o.profile.max_tasks : o.profile.cores;
  core::Duration limit = std::chrono::hours(24 * 365);
  if (!run_for.empty()) {
    auto d = core::ParseDuration(run_for);
    if (!d) return fail(d.error().message);
    limit = *d;
  }

  common::BlockControlSignals();
  std::unique_ptr<taskd::OverlayNode> overlay;
  if (!topology.empty()) {
    auto t = taskd::LoadTopology(topology);
    if (!t) return fail(t.error().message);
    if (!t->Find(o.profile.node)) return fail("--node must name a node of the topology");
    auto hp = taskd::ParseHostPort(wave_listen);
    if (!hp) return fail(hp.error().message);
    overlay = std::make_unique<taskd::OverlayNode>(*t, o.profile.node, o.coordinator_url, o.token);
    auto url = overlay->Start(hp->first, hp->second);
    if (!url) return fail(url.error().message);
    o.profile.wave_url = *url;
  }
  taskd::WorkerAgent agent(o);
  if (overlay) overlay->Attach(agent);
  if (auto s = agent.Start(); !s) return fail(s.error().message);
  std::cout << "worker " << (o.profile.name.empty() ? "(unnamed)" : o.profile.name) << " polling "
            << o.coordinator_url << std::endl;
  common::WaitForStopSignal(limit);
  agent.Stop();
  if (overlay) overlay->Stop();
  return 0;
}

}  // namespace

int RunTasksCommand(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string sub = argv[1];
  if (sub == "coordinator") return RunCoordinator(argc - 1, argv + 1);
  if (sub == "worker") return RunWorker(argc - 1, argv + 1);
  if (sub == "demo") return taskd::RunDemoCommand(argc - 1, argv + 1);
  if (sub == "evaluate") return taskd::RunEvaluateCommand(argc - 1, argv + 1);
  if (sub == "waves") return taskd::RunWavesCommand(argc - 1, argv + 1);
  if (sub == "help" || sub == "--help" || sub == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "huddle tasks: unknown subcommand '%s'\n%s", sub.c_str(), kUsage);
  return 2;
}

}  // namespace huddle
