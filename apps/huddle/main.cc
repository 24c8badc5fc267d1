// The `huddle` command: dispatches to the subcommands of each body.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string_view>

#include "embed/brain_demo.h"
#include "sim/sim_command.h"

namespace {

constexpr std::string_view kUsage =
    "usage: huddle <command> [options]\n"
    "\n"
    "commands:\n"
    "  demo       run the demo (brain demo: a simulated cluster where one server turns slow)\n"
    "  sim        compare policies in the discrete-event simulator (huddle sim --help)\n"
    "  version    print the version\n"
    "  help       print this text\n";

int RunDemo(int /*argc*/, char** /*argv*/) { return huddle::RunBrainDemo(std::cout, {}); }

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
  if (command == "demo") return RunDemo(argc - 1, argv + 1);
  if (command == "sim") return huddle::sim::RunSimCommand(argc - 1, argv + 1);
  std::fprintf(stderr, "huddle: unknown command '%s'\n\n%s", argv[1], kUsage.data());
  return 2;
}
