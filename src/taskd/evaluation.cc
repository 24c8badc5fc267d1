#include "taskd/evaluation.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "core/options.h"
#include "core/stats/student_t.h"

namespace huddle::taskd {
namespace {

struct Summary {
  double mean = 0;
  double sd = 0;
  size_t n = 0;  // seeds with a value
  size_t total = 0;
};

Summary Summarise(const std::vector<double>& values) {
  Summary s;
  s.total = values.size();
  for (double v : values) {
    if (std::isnan(v)) continue;
    s.mean += v;
    ++s.n;
  }
  if (s.n == 0) return s;
  s.mean /= static_cast<double>(s.n);
  for (double v : values) {
    if (!std::isnan(v)) s.sd += (v - s.mean) * (v - s.mean);
  }
  s.sd = s.n > 1 ? std::sqrt(s.sd / static_cast<double>(s.n - 1)) : 0;
  return s;
}

struct ScenarioText {
  const char* metric;
  const char* unit;
  const char* seed_claim;
};

ScenarioText Text(const std::string& scenario) {
  if (scenario == "sudden_spike") return {"time to rebalance", "s", "240 s → 110 s (54 % faster)"};
  if (scenario == "gradual_increase") {
    return {"std dev of worker utilisation", "", "18 % → 8 % (56 % lower)"};
  }
  if (scenario == "mixed_hardware") {
    return {"resource utilisation while tasks wait", "", "65 % → 82 % (26 % higher)"};
  }
  if (scenario == "energy") return {"energy (busy core-s / efficiency)", "", "22 % lower"};
  return {"mean task completion time", "s", "15–25 % faster"};
}

std::string Format(const Summary& s, const std::string& unit) {
  if (s.n == 0) return "never";
  std::string text = fmt::format("{:.3g} ± {:.2g}{}", s.mean, s.sd, unit.empty() ? "" : " " + unit);
  if (s.n < s.total) text += fmt::format(" ({} of {} seeds)", s.n, s.total);
  return text;
}

}  // namespace

double ScenarioMetric(const std::string& scenario, const SimResult& r) {
  if (scenario == "sudden_spike") {
    return r.time_to_rebalance_s ? *r.time_to_rebalance_s
                                 : std::numeric_limits<double>::quiet_NaN();
  }
  if (scenario == "gradual_increase") return r.mean_load_stddev;
  if (scenario == "mixed_hardware") return r.resource_utilisation;
  if (scenario == "energy") return r.energy;
  return r.mean_completion_s;
}

bool LowerIsBetter(const std::string& scenario) { return scenario != "mixed_hardware"; }

std::vector<SimPolicy> EvaluationPolicies() {
  return {AdaptivePolicy(), AdaptiveWithoutHardwarePolicy(), FixedThresholdHardwarePolicy(),
          FixedThresholdPolicy(), NoMigrationPolicy()};
}

std::vector<EvaluationCell> Evaluate(const EvaluationOptions& options) {
  std::vector<EvaluationCell> cells;
  const std::vector<SimPolicy> policies = EvaluationPolicies();
  for (core::Duration interval : options.check_intervals) {
    for (const std::string& scenario : ScenarioNames()) {
      std::vector<SimScenario> generated;
      for (uint64_t seed : options.seeds) generated.push_back(MakeScenario(scenario, seed));
      for (const SimPolicy& policy : policies) {
        EvaluationCell cell{
            .scenario = scenario, .policy = policy.name, .check_interval = interval};
        for (const SimScenario& s : generated) {
          const SimResult r = Simulate(s, policy, interval);
          cell.values.push_back(ScenarioMetric(scenario, r));
          cell.migrations.push_back(r.migrations);
        }
        cells.push_back(std::move(cell));
      }
    }
  }
  return cells;
}

PairedChange ComparePaired(const EvaluationCell& a, const EvaluationCell& b, bool lower_is_better) {
  PairedChange c;
  std::vector<double> diffs;
  double base = 0;
  for (size_t i = 0; i < std::min(a.values.size(), b.values.size()); ++i) {
    const double x = a.values[i];
    const double y = b.values[i];
    if (std::isnan(x) || std::isnan(y)) continue;
    diffs.push_back(x - y);
    base += y;
    if (lower_is_better ? x < y : x > y) ++c.a_better;
  }
  c.n = diffs.size();
  if (c.n == 0) return c;
  base /= static_cast<double>(c.n);
  double mean = 0;
  for (double d : diffs) mean += d;
  mean /= static_cast<double>(c.n);
  double var = 0;
  for (double d : diffs) var += (d - mean) * (d - mean);
  const double scale = base != 0 ? 100.0 / std::abs(base) : 0.0;
  c.change_pct = mean * scale;
  if (c.n > 1) {
    const double sd = std::sqrt(var / static_cast<double>(c.n - 1));
    const double t = core::StudentTQuantile(0.975, static_cast<double>(c.n - 1));
    c.ci95_pct = t * sd / std::sqrt(static_cast<double>(c.n)) * scale;
  }
  return c;
}

namespace {

const EvaluationCell* FindCell(const std::vector<EvaluationCell>& cells,
                               const std::string& scenario, const std::string& policy,
                               core::Duration interval) {
  for (const EvaluationCell& c : cells) {
    if (c.scenario == scenario && c.policy == policy && c.check_interval == interval) return &c;
  }
  return nullptr;
}

std::string FormatChange(const PairedChange& c, size_t seeds) {
  if (c.n == 0) return "n/a";
  std::string text =
      fmt::format("{:+.1f} % ± {:.1f} ({}/{})", c.change_pct, c.ci95_pct, c.a_better, c.n);
  if (c.n < seeds) text += "*";
  return text;
}

std::string IntervalText(core::Duration d) { return fmt::format("{:g} s", core::ToSeconds(d)); }

}  // namespace

std::string EvaluationMarkdown(const std::vector<EvaluationCell>& cells,
                               const EvaluationOptions& options, const std::string& command) {
  const std::vector<SimPolicy> policies = EvaluationPolicies();
  const size_t seeds = options.seeds.size();
  std::string out;
  out += "# Task balancer evaluation (simulated)\n\n";
  std::string intervals;
  for (core::Duration d : options.check_intervals) {
    intervals += (intervals.empty() ? "" : ", ") + IntervalText(d);
  }
  out += fmt::format(
      "Generated by `{}`: the adaptive task balancer's five scenarios, each over {} seeds "
      "({}–{}), with a balancing round every {}. Every policy runs the same core planner "
      "(`core::MigrationPlanner`) inside the task simulator (`src/taskd/task_simulator.h`); "
      "only its options differ:\n\n",
      command, seeds, options.seeds.empty() ? 0 : options.seeds.front(),
      options.seeds.empty() ? 0 : options.seeds.back(), intervals);
  out +=
      "- **adaptive**: every feature of the seed's text on (dynamic thresholds, OLS "
      "prediction acted on, cost-benefit with learned history, hardware and energy terms).\n"
      "- **adaptive-hardware**: adaptive without the hardware and energy terms "
      "(`enable_hardware_specific_strategies` and `enable_resource_efficiency` off).\n"
      "- **fixed_threshold+hardware**: the fixed baseline given the hardware and energy terms "
      "(the ablation: what the hardware-aware placement alone is worth).\n"
      "- **fixed_threshold**: the baseline the seed compares against: thresholds fixed at "
      "0.85 / 0.2, no prediction, no cost-benefit, no hardware or energy terms, moves chosen "
      "by utilisation gap alone.\n"
      "- **no_migration**: tasks stay where they land (for scale).\n\n"
      "Values are mean ± sample standard deviation over seeds. A change is paired by seed "
      "(the same generated tasks under both policies): the mean difference in percent of the "
      "second policy's mean, ± the half-width of its 95 % t interval, and (k/n) the seeds in "
      "which the first policy was better. `*` marks a comparison over fewer seeds than run "
      "(a policy never rebalanced in some). \"hardware\" is adaptive against "
      "adaptive-hardware and fixed_threshold+hardware against fixed_threshold: the part of a "
      "gain the hardware and energy terms make; \"rest\" is adaptive against "
      "fixed_threshold+hardware: the part the other adaptive features make with the hardware "
      "terms on both sides.\n\n";
  for (core::Duration interval : options.check_intervals) {
    out += fmt::format("## Balancing every {}\n\n", IntervalText(interval));
    out += "| scenario | metric |";
    for (const SimPolicy& p : policies) out += " " + p.name + " |";
    out +=
        " adaptive vs fixed | hardware (adaptive vs adaptive-hardware) | hardware (fixed+hw vs "
        "fixed) | rest (adaptive vs fixed+hw) | migrations (adaptive / fixed) |\n|---|---|";
    for (size_t i = 0; i < policies.size() + 5; ++i) out += "---|";
    out += "\n";
    for (const std::string& scenario : ScenarioNames()) {
      std::vector<const EvaluationCell*> row;
      for (const SimPolicy& p : policies)
        row.push_back(FindCell(cells, scenario, p.name, interval));
      if (std::find(row.begin(), row.end(), nullptr) != row.end()) continue;
      const ScenarioText text = Text(scenario);
      const bool lower = LowerIsBetter(scenario);
      out += fmt::format("| {} | {} ({} is better) |", scenario, text.metric,
                         lower ? "lower" : "higher");
      for (const EvaluationCell* c : row)
        out += " " + Format(Summarise(c->values), text.unit) + " |";
      const EvaluationCell& adaptive = *row[0];
      const EvaluationCell& adaptive_no_hw = *row[1];
      const EvaluationCell& fixed_hw = *row[2];
      const EvaluationCell& fixed = *row[3];
      double m0 = 0;
      double m1 = 0;
      for (size_t m : adaptive.migrations) m0 += static_cast<double>(m);
      for (size_t m : fixed.migrations) m1 += static_cast<double>(m);
      const double n = static_cast<double>(std::max<size_t>(1, adaptive.migrations.size()));
      out += fmt::format(" {} | {} | {} | {} | {:.1f} / {:.1f} |\n",
                         FormatChange(ComparePaired(adaptive, fixed, lower), seeds),
                         FormatChange(ComparePaired(adaptive, adaptive_no_hw, lower), seeds),
                         FormatChange(ComparePaired(fixed_hw, fixed, lower), seeds),
                         FormatChange(ComparePaired(adaptive, fixed_hw, lower), seeds), m0 / n,
                         m1 / n);
    }
    out += "\n";
  }
  out +=
      "## The seed's claims\n\nQuoted from its text, for comparison; its code does not "
      "support them (see docs/taskd.md).\n\n| scenario | seed's claim |\n|---|---|\n";
  for (const std::string& scenario : ScenarioNames()) {
    out += fmt::format("| {} | {} |\n", scenario, Text(scenario).seed_claim);
  }
  out += "\n## Scenarios\n\n";
  for (const std::string& scenario : ScenarioNames()) {
    out += fmt::format("- **{}**: {}\n", scenario, MakeScenario(scenario, 1).description);
  }
  return out;
}

int RunEvaluateCommand(int argc, char** argv) {
  CLI::App app{"The seed's five scenarios in simulation: adaptive vs fixed threshold.",
               "huddle tasks evaluate"};
  int seeds = 5;
  std::string check = "30s";
  std::string out_path;
  app.add_option("--seeds", seeds, "seeds per scenario (1..N)")->check(CLI::Range(1, 100));
  app.add_option("--check-interval", check,
                 "balancing round interval, or a comma-separated list of them (30s,60s,120s)");
  app.add_option("--out", out_path, "write the markdown report here (default: stdout)");
  CLI11_PARSE(app, argc, argv);
  EvaluationOptions options;
  options.seeds.clear();
  for (int i = 1; i <= seeds; ++i) options.seeds.push_back(static_cast<uint64_t>(i));
  options.check_intervals.clear();
  std::stringstream list(check);
  for (std::string item; std::getline(list, item, ',');) {
    auto d = core::ParseDuration(item);
    if (!d || *d <= core::Duration::zero()) {
      std::cerr << "huddle tasks evaluate: bad --check-interval '" << item << "'\n";
      return 2;
    }
    options.check_intervals.push_back(*d);
  }
  if (options.check_intervals.empty()) {
    std::cerr << "huddle tasks evaluate: --check-interval is empty\n";
    return 2;
  }
  const std::string command =
      fmt::format("huddle tasks evaluate --seeds {} --check-interval {}{}", seeds, check,
                  out_path.empty() ? "" : " --out " + out_path);
  const std::string report = EvaluationMarkdown(Evaluate(options), options, command);
  if (out_path.empty()) {
    std::cout << report;
    return 0;
  }
  std::ofstream out(out_path);
  out << report;
  if (!out) {
    std::cerr << "huddle tasks evaluate: cannot write " << out_path << "\n";
    return 1;
  }
  std::cout << "wrote " << out_path << "\n";
  return 0;
}

}  // namespace huddle::taskd
