#include "sim/suite_runner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/report_writer.h"
#include "sim/scenario_loader.h"
#include "sim/sim_command.h"

namespace huddle::sim {
namespace {

Scenario Small() {
  auto s = ParseScenario(R"(
name: small
duration: 6s
measure_from: 1s
backends:
  - {count: 3, workers: 1, service: {kind: exponential, mean: 10ms}}
workload: {kind: open, rate: 150, timeout: 1s}
faults:
  - {kind: slow, backend: 1, start: 3s, factor: 5}
)",
                         "small");
  EXPECT_TRUE(s.has_value());
  return *s;
}

TEST(SuiteRunnerTest, SummarisesTrialsAndTestsAgainstTheBaseline) {
  RunOptions options;
  options.policies = {"round_robin", "sed_oracle"};
  options.trials = 4;
  options.threads = 2;
  auto report = RunScenario(Small(), options);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->trial_results.size(), 8u);
  const MetricSummary* rr = report->Find("round_robin", "p99_ms");
  const MetricSummary* oracle = report->Find("sed_oracle", "p99_ms");
  ASSERT_NE(rr, nullptr);
  ASSERT_NE(oracle, nullptr);
  EXPECT_EQ(rr->n, 4u);
  EXPECT_TRUE(std::isnan(rr->p_value));  // the baseline is not tested against itself
  // A 5x slow backend at rho = 0.5 overloads under round robin (rho 2.5); the oracle avoids it.
  EXPECT_GT(rr->mean, 3 * oracle->mean);
  EXPECT_LT(oracle->p_value, 0.05);
  EXPECT_GT(oracle->ci95, 0.0);
  // Round robin never moves traffic off the slow backend.
  EXPECT_EQ(report->Find("round_robin", "detect_s")->n, 0u);
  EXPECT_EQ(report->Find("sed_oracle", "detect_s")->n, 4u);

  // Trials are independent of the thread count: the same seeds give the same figures.
  options.threads = 1;
  auto again = RunScenario(Small(), options);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->Find("sed_oracle", "p99_ms")->mean, oracle->mean);
}

TEST(SuiteRunnerTest, RejectsUnknownPoliciesAndBadOptions) {
  RunOptions options;
  options.policies = {"no_such_policy"};
  EXPECT_FALSE(RunScenario(Small(), options).has_value());
  Scenario s = Small();
  s.policy_options.push_back({"thermal", {{"heat", "7"}}});
  options.policies = {"thermal"};
  EXPECT_FALSE(RunScenario(s, options).has_value());
}

TEST(ReportWriterTest, JsonHasTheResultRows) {
  RunOptions options;
  options.policies = {"round_robin", "sed_oracle"};
  options.trials = 2;
  auto report = RunScenario(Small(), options);
  ASSERT_TRUE(report.has_value());
  const auto json = nlohmann::json::parse(JsonReport({*report}, 1.5));
  ASSERT_TRUE(json.contains("results"));
  EXPECT_EQ(json["results"].size(), 2 * MetricNames().size());
  const auto& row = json["results"][0];
  for (const char* key : {"policy", "metric", "mean", "std", "ci95", "p_value"}) {
    EXPECT_TRUE(row.contains(key)) << key;
  }
  EXPECT_EQ(json["simulated_requests"].get<uint64_t>(), report->simulated_requests);
  EXPECT_DOUBLE_EQ(json["wall_seconds"].get<double>(), 1.5);

  const std::string md = MarkdownReport(*report, "round_robin");
  EXPECT_NE(md.find("| p99 (ms) |"), std::string::npos);
  EXPECT_NE(md.find("| round_robin | sed_oracle |"), std::string::npos);
  EXPECT_NE(md.find("never"), std::string::npos);  // round robin's detection
}

TEST(SuiteRunnerTest, ScenarioListsGetTheYardsticksAndRatiosArePairedBySeed) {
  RunOptions options;  // no --policies: the scenario's list plus the yardsticks
  options.trials = 2;
  Scenario s = Small();
  s.policies = {"round_robin"};
  auto report = RunScenario(s, options);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  const std::vector<std::string> expected = {"round_robin", "default",     "prequal",    "c3",
                                             "sed_oracle",  "clairvoyant", "lower_bound"};
  EXPECT_EQ(report->policies, expected);
  // The paired ratio is the mean of per-seed ratios, not the ratio of means.
  double sum = 0;
  for (const TrialResult& t : report->trial_results) {
    if (t.policy != "round_robin") continue;
    for (const TrialResult& c : report->trial_results) {
      if (c.policy == "clairvoyant" && c.seed == t.seed) sum += t.Get("p99_ms") / c.Get("p99_ms");
    }
  }
  EXPECT_DOUBLE_EQ(report->PairedRatio("round_robin", "clairvoyant", "p99_ms"), sum / 2);
  EXPECT_DOUBLE_EQ(report->PairedRatio("clairvoyant", "clairvoyant", "p99_ms"), 1.0);
  EXPECT_TRUE(std::isnan(report->PairedRatio("round_robin", "no_such", "p99_ms")));
  const std::string md = MarkdownReport(*report, "round_robin");
  EXPECT_NE(md.find("| p99 ÷ clairvoyant |"), std::string::npos);
  EXPECT_NE(md.find("| p99 ÷ lower_bound |"), std::string::npos);
  const auto json = nlohmann::json::parse(JsonReport({*report}, 1.0));
  EXPECT_EQ(json["ratios"].size(), 7u * 2 * 3);
}

TEST(ReportWriterTest, WritesCsvFiles) {
  RunOptions options;
  options.policies = {"round_robin", "sed_oracle"};
  options.trials = 1;
  options.record_series = true;
  auto report = RunScenario(Small(), options);
  ASSERT_TRUE(report.has_value());
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("sim_test_out_" + std::to_string(::getpid()));
  auto files = WriteOutputs({*report}, dir.string());
  ASSERT_TRUE(files.has_value()) << files.error().message;
  EXPECT_TRUE(std::filesystem::exists(dir / "results.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir / "trials.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir / "latency_small.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir / "share_small_sed_oracle.csv"));
  std::filesystem::remove_all(dir);
}

TEST(SimCommandTest, ListsAndRejectsBadUsage) {
  char sim[] = "sim";
  char list[] = "--list";
  char* list_argv[] = {sim, list};
  testing::internal::CaptureStdout();
  EXPECT_EQ(RunSimCommand(2, list_argv), 0);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("slow_server"), std::string::npos);
  EXPECT_NE(out.find("thermal_od"), std::string::npos);

  char* none[] = {sim};
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunSimCommand(1, none), 2);
  char scenario[] = "--scenario";
  char bogus[] = "bogus";
  char* bad[] = {sim, scenario, bogus};
  EXPECT_EQ(RunSimCommand(3, bad), 2);
  testing::internal::GetCapturedStderr();
}

TEST(SimCommandTest, RunsAScenarioAsJson) {
  char sim[] = "sim";
  char scenario[] = "--scenario";
  char name[] = "normal";
  char policies[] = "--policies";
  char list[] = "round_robin,least_request";
  char trials[] = "--trials";
  char two[] = "2";
  char format[] = "--format";
  char json[] = "json";
  char* argv[] = {sim, scenario, name, policies, list, trials, two, format, json};
  testing::internal::CaptureStdout();
  EXPECT_EQ(RunSimCommand(9, argv), 0);
  const auto parsed = nlohmann::json::parse(testing::internal::GetCapturedStdout());
  EXPECT_EQ(parsed["results"].size(), 2 * MetricNames().size());
  EXPECT_GT(parsed["simulated_requests"].get<uint64_t>(), 10000u);
}

}  // namespace
}  // namespace huddle::sim
