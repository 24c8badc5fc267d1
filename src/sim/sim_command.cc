#include "sim/sim_command.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "sim/policy_catalog.h"
#include "sim/report_writer.h"
#include "sim/scenario_loader.h"
#include "sim/sensitivity.h"
#include "sim/suite_runner.h"

namespace huddle::sim {
namespace {

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

void PrintList() {
  std::cout << "Built-in scenarios:\n";
  for (const std::string& name : BuiltinScenarioNames()) {
    auto s = LoadScenario(name);
    std::cout << "  " << name;
    if (s) std::cout << " — " << s->description;
    std::cout << "\n";
  }
  std::cout << "\nPolicies (standard comparison set first):\n";
  for (const PolicySpec& p : StandardPolicies()) {
    std::cout << "  " << p.label << " — " << p.description << "\n";
  }
  for (const std::string& label : KnownPolicyLabels()) {
    bool standard = false;
    for (const PolicySpec& p : StandardPolicies()) standard = standard || p.label == label;
    if (!standard) std::cout << "  " << label << " — core policy with default options\n";
  }
}

}  // namespace

int RunSimCommand(int argc, char** argv) {
  CLI::App app{"Runs simulated scenarios and compares routing policies on them.", "huddle sim"};
  std::string scenario_arg;
  std::string policies_arg;
  uint32_t trials = 0;
  uint64_t seed = 1;
  std::string format = "markdown";
  std::string out_dir;
  std::string json_out;
  unsigned threads = 0;
  bool list = false;
  bool sensitivity = false;
  app.add_option("--scenario,-s", scenario_arg,
                 "built-in scenario name, a YAML file, a comma-separated list, or 'all'");
  app.add_option("--policies,-p", policies_arg, "comma-separated policy labels (see --list)");
  app.add_option("--trials,-n", trials, "trials per policy (default: the scenario's, 10)")
      ->check(CLI::Range(1u, 100000u));
  CLI::Option* seed_option = app.add_option("--seed", seed, "first trial's seed");
  app.add_option("--format,-f", format, "markdown or json")
      ->check(CLI::IsMember({"markdown", "json"}));
  app.add_option("--out,-o", out_dir, "also write CSV files and PNG plots (gnuplot) here");
  app.add_option("--json-out", json_out,
                 "also write the JSON report to this file (one run for both formats)");
  app.add_option("--threads,-j", threads, "worker threads (default: one per core)");
  app.add_flag("--list", list, "list the built-in scenarios and the policies");
  app.add_flag("--sensitivity", sensitivity,
               "the heat x alpha table of thermal's p95 (default scenario slow_server)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (list) {
    PrintList();
    return 0;
  }

  RunOptions options;
  options.policies = SplitCommas(policies_arg);
  options.trials = trials;
  options.seed_given = seed_option->count() > 0;
  options.seed = seed;
  options.threads = threads;
  options.record_series = !out_dir.empty();

  if (sensitivity) {
    auto scenario = LoadScenario(scenario_arg.empty() ? "slow_server" : scenario_arg);
    if (!scenario) {
      std::cerr << "huddle sim: " << scenario.error().message << "\n";
      return 2;
    }
    const std::string policy = options.policies.empty() ? "thermal" : options.policies.front();
    auto table = RunSensitivity(*scenario, policy, {0.45, 0.55, 0.65}, {0.3, 0.6, 0.9}, options);
    if (!table) {
      std::cerr << "huddle sim: " << table.error().message << "\n";
      return 1;
    }
    std::cout << SensitivityMarkdown(*table);
    return 0;
  }

  if (scenario_arg.empty()) {
    std::cerr << "huddle sim: --scenario is required (or --list)\n" << app.help();
    return 2;
  }
  std::vector<std::string> names =
      scenario_arg == "all" ? BuiltinScenarioNames() : SplitCommas(scenario_arg);
  std::vector<Scenario> scenarios;
  for (const std::string& name : names) {
    auto s = LoadScenario(name);
    if (!s) {
      std::cerr << "huddle sim: " << s.error().message << "\n";
      return 2;
    }
    scenarios.push_back(std::move(*s));
  }
  for (const std::string& p : options.policies) {
    if (auto spec = FindPolicy(p); !spec) {
      std::cerr << "huddle sim: " << spec.error().message << "\n";
      return 2;
    }
  }

  const auto started = std::chrono::steady_clock::now();
  std::vector<ScenarioReport> reports;
  for (const Scenario& s : scenarios) {
    auto report = RunScenario(s, options);
    if (!report) {
      std::cerr << "huddle sim: " << report.error().message << "\n";
      return 1;
    }
    if (format == "markdown") std::cout << MarkdownReport(*report, options.baseline) << std::flush;
    reports.push_back(std::move(*report));
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  uint64_t simulated = 0;
  for (const ScenarioReport& r : reports) simulated += r.simulated_requests;
  if (format == "json") {
    std::cout << JsonReport(reports, wall);
  } else {
    std::printf("Total: %llu simulated requests in %.1f s of wall time.\n",
                static_cast<unsigned long long>(simulated), wall);
  }
  if (!json_out.empty()) {
    std::ofstream file(json_out);
    file << JsonReport(reports, wall);
    if (!file) {
      std::cerr << "huddle sim: cannot write " << json_out << "\n";
      return 1;
    }
  }
  if (!out_dir.empty()) {
    auto files = WriteOutputs(reports, out_dir);
    if (!files) {
      std::cerr << "huddle sim: " << files.error().message << "\n";
      return 1;
    }
    std::cerr << "huddle sim: wrote " << files->size() << " files to " << out_dir << "\n";
  }
  return 0;
}

}  // namespace huddle::sim
