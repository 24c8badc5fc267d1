#include "sim/sensitivity.h"

#include <chrono>
#include <cstdio>
#include <sstream>

#include "sim/report_writer.h"

namespace huddle::sim {
namespace {

std::string Short(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

core::Result<SensitivityTable> RunSensitivity(const Scenario& scenario,
                                              const std::string& policy_label,
                                              const std::vector<double>& heats,
                                              const std::vector<double>& alphas,
                                              const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  SensitivityTable table;
  table.scenario = scenario.name;
  table.policy = policy_label;
  table.heats = heats;
  table.alphas = alphas;
  for (double heat : heats) {
    table.mean_ms.emplace_back();
    table.std_ms.emplace_back();
    for (double alpha : alphas) {
      Scenario variant = scenario;
      variant.policy_options.clear();
      variant.policy_options.push_back(
          {policy_label, {{"heat", Short(heat)}, {"alpha", Short(alpha)}}});
      // Keep cool below heat, as the model requires.
      if (heat <= 0.30) variant.policy_options.back().second["cool"] = Short(heat / 2);
      RunOptions run = options;
      run.policies = {policy_label};
      run.record_series = false;
      auto report = RunScenario(variant, run);
      if (!report) return std::unexpected(report.error());
      const MetricSummary* p95 = report->Find(policy_label, "p95_ms");
      table.mean_ms.back().push_back(p95 ? p95->mean : kNaN);
      table.std_ms.back().push_back(p95 ? p95->std : kNaN);
      table.trials = report->trials;
      table.simulated_requests += report->simulated_requests;
    }
  }
  table.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return table;
}

std::string SensitivityMarkdown(const SensitivityTable& t) {
  std::ostringstream out;
  out << "### Parameter sensitivity: p95 (ms) of " << t.policy << " in " << t.scenario << "\n\n";
  out << t.trials << " trials per cell, " << t.simulated_requests << " simulated requests in "
      << FormatValue("s", t.wall_seconds) << " s of wall time.\n\n";
  out << "| heat \\ alpha |";
  for (double a : t.alphas) out << " alpha=" << Short(a) << " |";
  out << "\n|---|";
  for (size_t i = 0; i < t.alphas.size(); ++i) out << "---|";
  out << "\n";
  for (size_t h = 0; h < t.heats.size(); ++h) {
    out << "| " << Short(t.heats[h]) << " |";
    for (size_t a = 0; a < t.alphas.size(); ++a) {
      out << " " << FormatValue("p95_ms", t.mean_ms[h][a]) << " ± "
          << FormatLike("p95_ms", t.std_ms[h][a], t.mean_ms[h][a]) << " |";
    }
    out << "\n";
  }
  out << "\n";
  return out.str();
}

}  // namespace huddle::sim
