// The `huddle` command: dispatches to the subcommands of each body.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string_view>

#include "embed/brain_demo.h"
#include "engine/commands.h"
#include "proxy/commands.h"
#include "sim/sim_command.h"
#include "taskd/commands.h"

namespace {

constexpr std::string_view kUsage =
    "usage: huddle <command> [options]\n"
    "\n"
    "commands:\n"
    "  proxy            run the load balancer: huddle proxy -c FILE\n"
    "  check            validate a config file: huddle check -c FILE\n"
    "  demo             six demo upstreams with faults, the proxy, a load and the dashboard\n"
    "  upstream         a test backend with scriptable faults\n"
    "  engine           the predictive engine alone: huddle engine -c FILE\n"
    "  engine-scenarios run the engine's scenario suite\n"
    "  tasks            the task balancer: coordinator, worker, demo, evaluate, waves\n"
    "  sim              compare policies in the discrete-event simulator\n"
    "  brain-demo       the routing brain alone on a virtual clock (embedded API)\n"
    "  version          print the version\n"
    "  help             print this text\n";

int RunBrainDemo(int /*argc*/, char** /*argv*/) { return huddle::RunBrainDemo(std::cout, {}); }

struct Command {
  std::string_view name;
  int (*run)(int argc, char** argv);
};

constexpr Command kCommands[] = {
    {"proxy", huddle::proxy::RunProxyCommand},
    {"check", huddle::proxy::RunCheckCommand},
    {"demo", huddle::proxy::RunDemoCommand},
    {"upstream", huddle::proxy::RunUpstreamCommand},
    {"engine", huddle::engine::RunEngineCommand},
    {"engine-scenarios", huddle::engine::RunEngineScenariosCommand},
    {"tasks", huddle::RunTasksCommand},
    {"sim", huddle::sim::RunSimCommand},
    {"brain-demo", RunBrainDemo},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage.data(), stderr);
    return 2;
  }
  const std::string_view command = argv[1];
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage.data(), stdout);
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::puts("huddle 0.1.0");
    return 0;
  }
  for (const Command& c : kCommands) {
    if (c.name == command) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "huddle: unknown command '%s'\n\n%s", argv[1], kUsage.data());
  return 2;
}
