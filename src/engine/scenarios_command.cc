#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "engine/commands.h"
#include "engine/scenario_suite.h"

namespace huddle::engine {

int RunEngineScenariosCommand(int argc, char** argv) {
  SuiteOptions options;
  std::string format = "markdown";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--format") {
      const char* v = value();
      if (v == nullptr || (std::strcmp(v, "markdown") != 0 && std::strcmp(v, "json") != 0)) {
        std::fprintf(stderr, "engine-scenarios: --format takes markdown or json\n");
        return 2;
      }
      format = v;
    } else if (arg == "--seeds") {
      const char* v = value();
      options.seeds = v ? std::atoi(v) : 0;
      if (options.seeds < 1 || options.seeds > 100) {
        std::fprintf(stderr, "engine-scenarios: --seeds takes 1..100\n");
        return 2;
      }
    } else if (arg == "--first-seed") {
      const char* v = value();
      if (v == nullptr) {
        std::fprintf(stderr, "engine-scenarios: --first-seed takes a number\n");
        return 2;
      }
      options.first_seed = std::strtoull(v, nullptr, 10);
    } else if (arg == "--scenario") {
      const char* v = value();
      if (v == nullptr) {
        std::fprintf(stderr, "engine-scenarios: --scenario takes a name\n");
        return 2;
      }
      options.only.push_back(v);
    } else if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: huddle engine-scenarios [--format markdown|json] [--seeds N] "
          "[--first-seed S] [--scenario NAME]...\n"
          "  --seeds N       seeds per scenario, 1..100 (default 5)\n"
          "  --first-seed S  run seeds S .. S+N-1 (default 1); every criterion must hold on each\n"
          "  --scenario NAME run only NAME (repeatable; default all)\n"
          "  --format        markdown (default) or json\n"
          "exit status: 0 when every criterion holds on every seed, 1 when one fails, 2 on a usage "
          "error\nscenarios:");
      for (const std::string& n : ScenarioNames()) std::printf(" %s", n.c_str());
      std::printf("\n");
      return 0;
    } else {
      std::fprintf(stderr, "engine-scenarios: unknown argument '%s'\n", arg.c_str());
      return 2;
    }
  }
  auto outcomes = RunSuite(options);
  if (!outcomes) {
    std::fprintf(stderr, "engine-scenarios: %s\n", outcomes.error().message.c_str());
    return 2;
  }
  if (format == "json") {
    std::cout << SuiteJson(*outcomes).dump(2) << "\n";
  } else {
    std::cout << SuiteMarkdown(*outcomes);
  }
  for (const ScenarioOutcome& o : *outcomes) {
    if (!o.pass) return 1;
  }
  return 0;
}

}  // namespace huddle::engine
