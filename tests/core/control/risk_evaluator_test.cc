#include "core/control/risk_evaluator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/control/dependency_graph.h"

namespace huddle::core {
namespace {

TimePoint At(double seconds) { return TimePoint{} + FromSeconds(seconds); }

// The reference cascade topology: A -> B -> C, D -> C, E independent.
DependencyGraph Cascade() {
  DependencyGraph g;
  for (const char* name : {"A", "B", "C", "D", "E"}) g.AddService(name);
  g.ObserveCall(0, 1, 80, 100, At(0));   // A sends 80 % of its requests to B
  g.ObserveCall(1, 2, 100, 100, At(0));  // B calls C on every request
  g.ObserveCall(3, 2, 30, 100, At(0));   // D: 30 %
  return g;
}

TEST(DependencyGraphTest, EdgeWeightsAndDependents) {
  DependencyGraph g = Cascade();
  EXPECT_EQ(g.AddService("C"), 2u);
  EXPECT_DOUBLE_EQ(g.Weight(0, 1), 0.8);
  const auto deps = g.Dependents(2, 0.1);
  ASSERT_EQ(deps.size(), 3u);
  EXPECT_EQ(deps[0], (std::pair<DependencyGraph::Index, double>(1, 1.0)));
  EXPECT_EQ(deps[1], (std::pair<DependencyGraph::Index, double>(0, 0.8)));  // 0.8 x 1.0
  EXPECT_EQ(deps[2], (std::pair<DependencyGraph::Index, double>(3, 0.3)));
  EXPECT_EQ(g.Dependents(2, 0.5).size(), 2u);
  EXPECT_TRUE(g.Dependents(4, 0.0).empty());
  g.ObserveCall(0, 1, 500, 100, At(0));  // capped at 1
  EXPECT_DOUBLE_EQ(g.Weight(0, 1), 1.0);
  g.Prune(At(100), FromSeconds(60));
  EXPECT_DOUBLE_EQ(g.Weight(1, 2), 0.0);
}

TEST(RiskEvaluatorTest, CascadeReachesCallersOnlyAndKeystoneFires) {
  DependencyGraph g = Cascade();
  std::vector<ServiceRisk> s(5);
  for (auto& r : s) r.rho = 0.5;
  s[2].rho = 1.2;  // C lost capacity
  s[2].overloaded = true;
  RiskEvaluator risk;
  const auto events = risk.Evaluate(s, g, At(10));
  std::vector<std::string> seen;
  for (const auto& e : events) {
    seen.push_back(std::string(RiskKindName(e.kind)) + ":" + g.name(e.service) + ":" +
                   SeverityName(e.severity));
  }
  const std::vector<std::string> expected = {"collapse_risk:C:critical", "cascade_risk:A:critical",
                                             "cascade_risk:B:critical", "cascade_risk:D:warning",
                                             "keystone_degraded:C:critical"};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(events[2].reason,
            "B depends on C (100% of its requests), which is at risk of collapse");
  EXPECT_EQ(events[1].reason,
            "A depends on C (80% of its requests, through other services), which is at risk of "
            "collapse");
}

TEST(RiskEvaluatorTest, CooldownWithEscalation) {
  DependencyGraph g;
  g.AddService("api");
  std::vector<ServiceRisk> s(1);
  s[0].rho = 0.92;
  RiskEvaluator risk;  // 30 s cooldown
  auto e = risk.Evaluate(s, g, At(0));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].severity, Severity::kWarning);
  EXPECT_EQ(e[0].reason, "api runs at 92% of capacity, above the collapse threshold of 90%");
  EXPECT_TRUE(risk.Evaluate(s, g, At(10)).empty());  // cooling down
  s[0].rho = 0.98;
  e = risk.Evaluate(s, g, At(12));  // escalation breaks through
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].severity, Severity::kCritical);
  EXPECT_TRUE(risk.Evaluate(s, g, At(41)).empty());
  EXPECT_EQ(risk.Evaluate(s, g, At(42)).size(), 1u);  // 30 s after the last one
}

TEST(RiskEvaluatorTest, SaturationAndLatencyEventsAndSparseSilence) {
  DependencyGraph g;
  g.AddService("api");
  std::vector<ServiceRisk> s(1);
  s[0].saturation_probability = 0.8;
  s[0].time_to_saturation_s = 24;
  s[0].p99_predicted_s = 0.21;  // 84 % of 250 ms
  RiskEvaluator risk;
  auto e = risk.Evaluate(s, g, At(0));
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].kind, RiskKind::kSaturationPredicted);
  EXPECT_EQ(e[0].severity, Severity::kCritical);
  EXPECT_EQ(e[0].reason,
            "api saturates within 60 s in 80% of projected scenarios (median in 24 s)");
  EXPECT_EQ(e[1].kind, RiskKind::kLatencySloRisk);
  EXPECT_EQ(e[1].severity, Severity::kWarning);
  RiskEvaluator fresh;
  s[0].quality = SignalQuality::kSparse;
  EXPECT_TRUE(fresh.Evaluate(s, g, At(0)).empty());
  EXPECT_FALSE(
      RiskOptions::Parse({{"collapse_rho", "0.95"}, {"collapse_critical_rho", "0.9"}}).has_value());
}

}  // namespace
}  // namespace huddle::core
