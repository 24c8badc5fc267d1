#include "sim/suite_runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

#include "core/stats/summary.h"
#include "sim/policy_catalog.h"
#include "sim/simulation.h"

namespace huddle::sim {

const MetricSummary* ScenarioReport::Find(const std::string& policy,
                                          const std::string& metric) const {
  for (const MetricSummary& r : rows) {
    if (r.policy == policy && r.metric == metric) return &r;
  }
  return nullptr;
}

double ScenarioReport::PairedRatio(const std::string& policy, const std::string& reference,
                                   const std::string& metric) const {
  double sum = 0.0;
  uint32_t n = 0;
  for (const TrialResult& t : trial_results) {
    if (t.policy != policy) continue;
    for (const TrialResult& r : trial_results) {
      if (r.policy != reference || r.seed != t.seed) continue;
      const double a = t.Get(metric);
      const double b = r.Get(metric);
      if (std::isfinite(a) && std::isfinite(b) && b > 0.0) {
        sum += a / b;
        ++n;
      }
      break;
    }
  }
  return n > 0 ? sum / n : kNaN;
}

namespace {

std::vector<double> Finite(const std::vector<TrialResult>& trials, const std::string& policy,
                           const std::string& metric) {
  std::vector<double> v;
  for (const TrialResult& t : trials) {
    if (t.policy != policy) continue;
    const double x = t.Get(metric);
    if (std::isfinite(x)) v.push_back(x);
  }
  return v;
}

}  // namespace

core::Result<ScenarioReport> RunScenario(const Scenario& scenario, const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  ScenarioReport report;
  report.scenario = scenario;
  report.trials = options.trials > 0 ? options.trials : scenario.trials;
  report.seed = options.seed_given ? options.seed : scenario.seed;
  if (!options.policies.empty()) {
    report.policies = options.policies;
  } else {
    if (!scenario.policies.empty()) {
      report.policies = scenario.policies;
    } else {
      for (const PolicySpec& p : StandardPolicies()) report.policies.push_back(p.label);
    }
    // Every scenario is reported against the default, the peers and the yardsticks.
    for (const std::string& y : YardstickLabels()) {
      if (std::find(report.policies.begin(), report.policies.end(), y) == report.policies.end()) {
        report.policies.push_back(y);
      }
    }
  }

  std::vector<PolicySpec> specs;
  for (const std::string& label : report.policies) {
    auto spec = FindPolicy(label);
    if (!spec) return std::unexpected(spec.error());
    for (const auto& [name, extra] : scenario.policy_options) {
      if (name != label) continue;
      for (const auto& [k, v] : extra) spec->options[k] = v;
    }
    // Fail early, once, on bad options rather than in every trial.
    auto probe = CreatePolicy(*spec, nullptr);
    if (!probe && !NeedsSimulatorView(*spec)) {
      return core::Fail("policy " + label + ": " + probe.error().message);
    }
    specs.push_back(std::move(*spec));
  }

  // Jobs: (policy, trial). Each job writes only its own slot.
  const size_t jobs = specs.size() * report.trials;
  report.trial_results.resize(jobs);
  std::vector<std::string> errors(jobs);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t j = next.fetch_add(1); j < jobs; j = next.fetch_add(1)) {
      const size_t p = j / report.trials;
      const uint32_t t = static_cast<uint32_t>(j % report.trials);
      SimulationOptions sim_options;
      sim_options.record_series = options.record_series && t == 0;
      Simulation sim(scenario, specs[p], report.seed + t, sim_options);
      auto result = sim.Run();
      if (result) {
        report.trial_results[j] = std::move(*result);
      } else {
        errors[j] = result.error().message;
      }
    }
  };
  unsigned threads = options.threads > 0 ? options.threads : std::thread::hardware_concurrency();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(jobs)));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  for (const std::string& e : errors) {
    if (!e.empty()) return core::Fail(scenario.name + ": " + e);
  }
  for (const TrialResult& t : report.trial_results)
    report.simulated_requests += t.simulated_requests;

  for (const std::string& label : report.policies) {
    for (const std::string& metric : MetricNames()) {
      MetricSummary row;
      row.policy = label;
      row.metric = metric;
      const std::vector<double> values = Finite(report.trial_results, label, metric);
      row.n = static_cast<uint32_t>(values.size());
      if (!values.empty()) {
        auto summary = core::Summarize(values);
        if (summary) {
          row.mean = summary->mean;
          row.std = summary->stddev;
          row.ci95 = std::isfinite(summary->ci_half_width) ? summary->ci_half_width : kNaN;
        }
      }
      if (label != options.baseline) {
        const std::vector<double> base = Finite(report.trial_results, options.baseline, metric);
        if (values.size() >= 2 && base.size() >= 2) {
          auto welch = core::WelchTTest(values, base);
          if (welch) row.p_value = welch->p_value;
        }
      }
      report.rows.push_back(row);
    }
  }
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace huddle::sim
