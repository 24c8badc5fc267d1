#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "sim/suite_runner.h"

namespace huddle::sim {

// The seed-shaped markdown table of one scenario: one row per metric, one column per policy,
// cells "mean ± std", a star where Welch's test against the baseline gives p < 0.05.
std::string MarkdownReport(const ScenarioReport& report, const std::string& baseline);

// One JSON object: {"results": [{scenario, policy, metric, n, mean, std, ci95, p_value}...],
// "simulated_requests", "wall_seconds", "scenarios": [...]}. NaN becomes null.
std::string JsonReport(const std::vector<ScenarioReport>& reports, double wall_seconds);

// Writes into `dir` (created if missing): results.csv (every summary row), trials.csv (every
// metric of every trial), and per scenario latency_<name>.csv, share_<name>_<policy>.csv and,
// when gnuplot is installed, latency_<name>.png and share_<name>.png (from trial 0 of each
// policy; the reports must have been run with record_series). Returns the files written.
core::Result<std::vector<std::string>> WriteOutputs(const std::vector<ScenarioReport>& reports,
                                                    const std::string& dir);

// Display name of a metric ("p99 (ms)").
std::string MetricLabel(const std::string& metric);
// A number with precision suited to its size, or "—" for NaN.
std::string FormatValue(const std::string& metric, double v);
// A spread (standard deviation) with as many decimals as FormatValue gave `like`.
std::string FormatLike(const std::string& metric, double v, double like);

}  // namespace huddle::sim
