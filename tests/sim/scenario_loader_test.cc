#include "sim/scenario_loader.h"

#include <gtest/gtest.h>

namespace huddle::sim {
namespace {

TEST(ScenarioLoaderTest, EveryBuiltinScenarioParses) {
  const std::vector<std::string> names = BuiltinScenarioNames();
  ASSERT_GE(names.size(), 11u);
  for (const std::string& name : names) {
    auto s = LoadScenario(name);
    ASSERT_TRUE(s.has_value()) << name << ": " << s.error().message;
    EXPECT_EQ(s->name, name);
    EXPECT_FALSE(s->backends.empty());
  }
}

TEST(ScenarioLoaderTest, ReadsEveryField) {
  auto s = ParseScenario(R"(
name: t
duration: 30s
measure_from: 2s
tick: 50ms
trials: 4
seed: 9
backends:
  - {count: 3, workers: 2, weight: 2, service: {kind: seed, mean: 12ms, mean_step: 2ms}}
  - {name: late, join_at: 5s, warmup: 4s, warmup_factor: 3, service: {kind: lognormal, mean: 8ms, sigma: 0.7}}
workload:
  kind: closed
  clients: 20
  think: 5ms
  timeout: 250ms
  steps: [{at: 10s, value: 40, ramp: 2s}]
retry: {attempts: 2, on: [reset, 5xx], budget: 0.5, min_concurrency: 1, backoff: 10ms, max_backoff: 100ms}
health_check: {enabled: false, interval: 2s, timeout: 300ms, cost: 0.5, rise: 1, fall: 2}
metrics: {interval: 3s}
faults:
  - {kind: flap, backend: 3, start: 5s, end: 15s, period: 1s}
  - {kind: slow, backends: {first: 0, count: 2}, start: 1s, factor: 4}
policies: [round_robin, sed_oracle]
policy_options:
  thermal: {heat: 0.5}
)",
                         "inline");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_DOUBLE_EQ(s->duration_s, 30.0);
  EXPECT_DOUBLE_EQ(s->tick_s, 0.05);
  EXPECT_EQ(s->trials, 4u);
  ASSERT_EQ(s->backends.size(), 4u);
  EXPECT_EQ(s->backends[0].name, "s0");
  EXPECT_EQ(s->backends[3].name, "late");
  EXPECT_DOUBLE_EQ(s->backends[2].service.mean_ms, 16.0);  // 12 + 2 * 2
  EXPECT_EQ(s->backends[1].workers, 2u);
  EXPECT_DOUBLE_EQ(s->backends[3].join_at_s, 5.0);
  EXPECT_EQ(s->backends[3].service.kind, ServiceSpec::Kind::kLognormal);
  EXPECT_EQ(s->workload.kind, WorkloadSpec::Kind::kClosed);
  EXPECT_DOUBLE_EQ(s->workload.timeout_ms, 250.0);
  ASSERT_EQ(s->workload.steps.size(), 1u);
  EXPECT_DOUBLE_EQ(s->workload.steps[0].ramp_s, 2.0);
  EXPECT_FALSE(s->retry.on_connect_failure);
  EXPECT_TRUE(s->retry.on_5xx);
  EXPECT_DOUBLE_EQ(s->retry.backoff_base_ms, 10.0);
  EXPECT_FALSE(s->health_check.enabled);
  ASSERT_EQ(s->faults.size(), 2u);
  EXPECT_EQ(s->faults[0].kind, FaultSpec::Kind::kFlap);
  EXPECT_EQ(s->faults[1].backends, (std::vector<uint32_t>{0, 1}));
  ASSERT_EQ(s->policy_options.size(), 1u);
  EXPECT_EQ(s->policy_options[0].second.at("heat"), "0.5");
}

TEST(ScenarioLoaderTest, RejectsUnknownKeysWithTheLine) {
  auto s = ParseScenario("name: t\nbackends:\n  - {count: 2}\nworkload: {kind: open, rat: 5}\n",
                         "f.yaml");
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("f.yaml:4"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("rat"), std::string::npos);
}

TEST(ScenarioLoaderTest, RejectsBadValues) {
  EXPECT_FALSE(
      ParseScenario("name: t\nbackends: [{count: 2}]\nfaults: [{kind: slow, backend: 5}]\n", "x"));
  EXPECT_FALSE(ParseScenario("name: t\nbackends: [{count: 2}]\nduration: soon\n", "x"));
  EXPECT_FALSE(ParseScenario("name: t\n", "x"));
  EXPECT_FALSE(ParseScenario("name: t\nbackends: [{count: 2, service: {kind: pareto}}]\n", "x"));
  EXPECT_FALSE(ParseScenario("name: [unclosed\n", "x"));
  EXPECT_FALSE(LoadScenario("no_such_scenario"));
}

}  // namespace
}  // namespace huddle::sim
