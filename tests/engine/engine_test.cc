#include "engine/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "core/random.h"

namespace huddle::engine {
namespace {

using core::FromSeconds;
using core::TimePoint;

TimePoint At(double s) { return TimePoint{} + FromSeconds(s); }

// Uniform per-second noise in [-amplitude, amplitude), from a seeded generator.
double Noise(core::Random& random, double amplitude) {
  return amplitude * (2.0 * random.UnitDouble() - 1.0);
}

EngineOptions TestOptions() {
  EngineOptions o;
  o.tick = FromSeconds(1);
  o.decision_interval = FromSeconds(5);
  o.monte_carlo.scenarios = 50;
  o.autopilot.provisioning_delay = FromSeconds(30);
  return o;
}

// A point from a service of `replicas` replicas that each serve 200 rps (8 workers, 40 ms),
// offered `rps`: CPU is the busy share, latency the service time while not saturated.
TelemetryPoint Point(const std::string& id, double rps, double replicas, double error_rate = 0) {
  TelemetryPoint p;
  p.service_id = id;
  p.request_rate = rps;
  p.error_rate = error_rate;
  p.replicas = replicas;
  const double capacity = 200.0 * replicas;
  p.cpu_usage = std::min(1.0, rps / capacity);
  p.queue_depth = rps > capacity ? rps - capacity : 0.0;
  p.latency_p50 = 40;
  p.latency_p95 = 110;
  p.latency_p99 = 180;
  p.latency_mean = 45;
  return p;
}

// Feeds `seconds` of one point per second per service and ticks; returns events seen.
std::vector<EngineEvent> Feed(Engine& engine, double from_s, double seconds,
                              const std::function<std::vector<TelemetryPoint>(double)>& points) {
  std::vector<EngineEvent> events;
  for (double t = from_s; t < from_s + seconds; t += 1.0) {
    for (const TelemetryPoint& p : points(t)) EXPECT_TRUE(engine.Ingest(p, At(t)).has_value());
    TickReport r = engine.Tick(At(t));
    events.insert(events.end(), r.events.begin(), r.events.end());
  }
  return events;
}

bool HasEvent(const std::vector<EngineEvent>& events, const std::string& kind,
              const std::string& service) {
  return std::any_of(events.begin(), events.end(),
                     [&](const EngineEvent& e) { return e.kind == kind && e.service == service; });
}

TEST(EngineTest, IngestBodyKeepsGoodPointsAndCountsBadOnes) {
  Engine engine(TestOptions());
  auto r = engine.IngestBody(R"([{"service_id": "a", "request_rate": 5},
                                 {"service_id": "b", "request_rate": -5},
                                 {"service_id": "c", "request_rate": 7}])",
                             At(0));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->accepted, 2u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].index, 1u);
  EXPECT_EQ(engine.counters().points_accepted, 2u);
  EXPECT_EQ(engine.counters().points_rejected, 1u);
  EXPECT_FALSE(engine.IngestBody("nope", At(0)).has_value());
  EXPECT_EQ(engine.counters().requests_rejected, 1u);
  engine.Tick(At(0));
  EXPECT_EQ(engine.services().size(), 2u);
}

TEST(EngineTest, ServiceCapRefusesNewServicesButKeepsKnownOnes) {
  EngineOptions o = TestOptions();
  o.max_services = 2;
  Engine engine(o);
  EXPECT_TRUE(engine.Ingest(Point("a", 10, 1), At(0)).has_value());
  EXPECT_TRUE(engine.Ingest(Point("b", 10, 1), At(0)).has_value());
  auto refused = engine.Ingest(Point("c", 10, 1), At(0));
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("maximum of 2 services"), std::string::npos);
  EXPECT_TRUE(engine.Ingest(Point("a", 11, 1), At(1)).has_value());
  EXPECT_EQ(engine.counters().points_rejected_capacity, 1u);
}

TEST(EngineTest, SteadyLoadEstimatesCapacityAndRaisesNothing) {
  Engine engine(TestOptions());
  // 650 rps on 5 replicas of 200 rps: rho = 0.65, the setpoint of the safe preset.
  auto events = Feed(engine, 0, 120, [](double) { return std::vector{Point("api", 650, 5)}; });
  const ServiceView* v = engine.Find("api");
  ASSERT_NE(v, nullptr);
  EXPECT_NEAR(v->mu_per_replica, 200.0, 1.0);  // utilisation law: 650 / (0.65 * 5)
  EXPECT_STREQ(v->mu_source, "utilisation_law");
  EXPECT_NEAR(v->rho, 0.65, 0.01);
  EXPECT_EQ(v->quality, core::SignalQuality::kGood);
  EXPECT_NEAR(v->forecast_rps, 650.0, 1.0);
  EXPECT_LT(v->mape, 1.0);
  EXPECT_DOUBLE_EQ(v->admit_probability, 1.0);
  EXPECT_EQ(v->saturation_probability, 0.0);
  EXPECT_TRUE(events.empty()) << events.front().kind << ": " << events.front().reason;
  EXPECT_EQ(v->target_replicas, 5);  // within the tolerance band of 0.70
}

TEST(EngineTest, OverloadRaisesCollapseRiskOnceWithinCooldownAndSheds) {
  Engine engine(TestOptions());
  Feed(engine, 0, 30, [](double) { return std::vector{Point("api", 500, 5)}; });
  // 1 300 rps against 1 000 rps of capacity: the queue grows by 300 a second.
  auto events = Feed(engine, 30, 10, [](double t) {
    TelemetryPoint p = Point("api", 1300, 5);
    p.queue_depth = 300 * (t - 29);
    return std::vector{p};
  });
  int collapse = 0;
  for (const EngineEvent& e : events) {
    if (e.kind == "collapse_risk") {
      ++collapse;
      EXPECT_EQ(e.severity, "critical");
      EXPECT_NE(e.reason.find("api"), std::string::npos);
    }
  }
  EXPECT_EQ(collapse, 1);  // the 30 s cooldown holds the repeats
  const ServiceView* v = engine.Find("api");
  ASSERT_NE(v, nullptr);
  // Admit 0.90 x 1000 of 1300 offered at two Poisson deviations above it: 0.656 (mu was learnt
  // as 200 before the overload).
  EXPECT_NEAR(v->admit_probability, 0.90 * 1000.0 / (1300.0 + 2.0 * std::sqrt(1300.0)), 0.01);
  const ShedDecision shed = engine.Shedding("api");
  EXPECT_DOUBLE_EQ(shed.admit_probability, v->admit_probability);
  EXPECT_GT(shed.concurrency_limit, 40u);  // at least the 40 workers
  EXPECT_GT(v->target_replicas, 5);        // the autopilot scales up
  ASSERT_FALSE(engine.journal().empty());
  EXPECT_TRUE(engine.journal().back().act);
  EXPECT_NE(engine.journal().back().reason.find("scale up"), std::string::npos);
}

// Closed-loop clients re-send each shed request the next second (within the 10 % retry budget)
// and demand is noisy (+-4 % a second): admission decided on the last second's attempts alone
// flip-flopped between shedding and admitting everything, and the admitted load over 5 s went
// above the ceiling. On the predicted offered load (retry echo included) it holds.
TEST(EngineTest, AdmissionHoldsTheCeilingAgainstRetriesAndNoise) {
  EngineOptions o = TestOptions();
  o.autopilot.mode = core::AutopilotMode::kFrozen;
  o.shed_rho = 0.85;
  Engine engine(o);
  const double cap = 1000.0;  // 5 replicas of 200 rps
  auto point = [&](double attempts, double admitted) {
    TelemetryPoint p = Point("api", attempts, 5);
    p.shed_rate = attempts - admitted;
    p.cpu_usage = std::min(1.0, admitted / cap);
    p.queue_depth = std::max(0.0, admitted - cap);
    return p;
  };
  double admit = 1.0;
  double shed_before = 0.0;
  std::vector<double> admitted_share;
  int admit_all_after_shed = 0;
  core::Xoshiro256 random(12345);
  for (double t = 0; t < 240; t += 1.0) {
    const double noise = Noise(random, 0.04);
    const double unique = (t < 60 ? 600.0 : 930.0) * (1.0 + noise);
    const double attempts = unique + std::min(0.1 * unique, shed_before);
    const double admitted = attempts * admit;
    shed_before = attempts - admitted;
    ASSERT_TRUE(engine.Ingest(point(attempts, admitted), At(t)).has_value());
    engine.Tick(At(t));
    const double next = engine.Shedding("api").admit_probability;
    if (t >= 90) {
      admitted_share.push_back(admitted / cap);
      if (admit < 1.0 && next >= 1.0) ++admit_all_after_shed;
    }
    admit = next;
  }
  EXPECT_EQ(admit_all_after_shed, 0);  // 930 rps stays above the ceiling of 850 throughout
  double worst = 0.0;
  for (size_t i = 0; i + 5 <= admitted_share.size(); ++i) {
    double sum = 0.0;
    for (size_t k = i; k < i + 5; ++k) sum += admitted_share[k];
    worst = std::max(worst, sum / 5.0);
  }
  EXPECT_LE(worst, 0.85);
  EXPECT_GE(worst, 0.75);  // not shedding far more than needed
}

TEST(EngineTest, RampIsPredictedBeforeSaturation) {
  EngineOptions o = TestOptions();
  o.autopilot.mode = core::AutopilotMode::kFrozen;  // open loop: watch, never act
  Engine engine(o);
  // 10 replicas = 2 000 rps; ramp 500 -> 2 500 over 600 s: rho 0.9 at 1 800 rps, t = 390 s.
  double first_prediction = -1;
  for (double t = 0; t < 390; t += 1) {
    const double rps = 500.0 + 2000.0 * t / 600.0;
    ASSERT_TRUE(engine.Ingest(Point("api", rps, 10), At(t)).has_value());
    TickReport r = engine.Tick(At(t));
    if (first_prediction < 0 && HasEvent(r.events, "saturation_predicted", "api")) {
      first_prediction = t;
    }
  }
  ASSERT_GE(first_prediction, 0);
  EXPECT_LE(first_prediction, 390 - 30);  // at least 30 s of lead
  // Frozen: recommendations are journaled, the target never moves.
  EXPECT_EQ(engine.Find("api")->target_replicas, 10);
  ASSERT_FALSE(engine.journal().empty());
  EXPECT_FALSE(engine.journal().back().act);
  EXPECT_NE(engine.journal().back().reason.find("frozen"), std::string::npos);
}

// A fresh ramp on a noisy flat demand: the fast/slow crossover needs the fast EWMA to leave the
// slow one behind by its threshold, ~10 s after the OLS slope over its window is significant; a
// significant slope counts as rising, so the first scale-up comes from the trend, not the level.
TEST(EngineTest, FreshRampScalesUpOnASignificantSlope) {
  EngineOptions o = TestOptions();
  o.autopilot.planner.setpoint = 0.65;
  o.autopilot.provisioning_delay = FromSeconds(40);
  Engine engine(o);
  core::Xoshiro256 random(777);  // +-4 % a second
  double first_up = -1;
  for (double t = 0; t < 180; t += 1.0) {
    const double noise = Noise(random, 0.04);
    // 500 rps on 4 replicas (rho 0.625), then +5 rps a second from t = 120.
    const double rps = (t < 120 ? 500.0 : 500.0 + 5.0 * (t - 120)) * (1.0 + noise);
    ASSERT_TRUE(engine.Ingest(Point("api", rps, 4), At(t)).has_value());
    TickReport r = engine.Tick(At(t));
    for (const Directive& d : r.directives) {
      if (first_up < 0 && d.to > d.from) first_up = t;
    }
  }
  ASSERT_GE(first_up, 0);
  EXPECT_GT(first_up, 120);  // not on noise
  EXPECT_LE(first_up, 136);  // 134 s; on the crossover alone, without the slope rule: 139 s
}

TEST(EngineTest, CascadeRiskReachesCallersButNotIndependentServices) {
  Engine engine(TestOptions());
  auto points = [](double t) {
    const double c_rps = t < 20 ? 500 : 1300;  // C overloads at t = 20
    TelemetryPoint a = Point("A", 400, 4);
    a.upstream_calls.push_back({"C", 400, 0, 5});
    TelemetryPoint c = Point("C", c_rps, 5);
    TelemetryPoint e = Point("E", 300, 3);
    return std::vector{a, c, e};
  };
  auto events = Feed(engine, 0, 30, points);
  EXPECT_TRUE(HasEvent(events, "collapse_risk", "C"));
  EXPECT_TRUE(HasEvent(events, "cascade_risk", "A"));
  EXPECT_FALSE(HasEvent(events, "cascade_risk", "E"));
}

TEST(EngineTest, LostReplicasAreReplacedWithinOneTick) {
  Engine engine(TestOptions());
  Feed(engine, 0, 60, [](double) { return std::vector{Point("api", 1300, 10)}; });
  const size_t before = engine.journal().size();
  engine.Ingest(Point("api", 1300, 7), At(60));
  TickReport r = engine.Tick(At(60));
  ASSERT_FALSE(r.directives.empty());
  EXPECT_EQ(r.directives[0].from, r.directives[0].to);
  EXPECT_NE(r.directives[0].reason.find("replace 3 lost replicas"), std::string::npos);
  EXPECT_EQ(engine.journal().size(), before + r.directives.size());
}

TEST(EngineTest, OutageIsNotADemandDrop) {
  Engine engine(TestOptions());
  Feed(engine, 0, 60, [](double) { return std::vector{Point("api", 650, 5)}; });
  // Down for 120 s: everything fails and little gets through.
  Feed(engine, 60, 120, [](double) { return std::vector{Point("api", 100, 5, 1.0)}; });
  const ServiceView* v = engine.Find("api");
  EXPECT_TRUE(v->failing);
  EXPECT_GE(v->target_replicas, 5);
  EXPECT_NEAR(v->unique_demand, 650, 20);
}

TEST(EngineTest, SameInputsGiveTheSameDecisions) {
  auto run = [] {
    Engine engine(TestOptions());
    Feed(engine, 0, 200,
         [](double t) { return std::vector{Point("api", 500 + 5 * t + 40 * std::sin(t), 5)}; });
    std::string log;
    for (const Directive& d : engine.journal()) log += d.reason + "\n";
    for (const EngineEvent& e : engine.events()) log += e.reason + "\n";
    return log;
  };
  const std::string first = run();
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, run());
}

TEST(EngineTest, SilentServicesArePruned) {
  EngineOptions o = TestOptions();
  o.stale_after = FromSeconds(10);
  Engine engine(o);
  engine.Ingest(Point("a", 10, 1), At(0));
  engine.Ingest(Point("b", 10, 1), At(0));
  engine.Tick(At(0));
  engine.Ingest(Point("b", 10, 1), At(9));
  TickReport r = engine.Tick(At(11));
  EXPECT_EQ(r.pruned, 1u);
  EXPECT_EQ(engine.services().size(), 1u);
  EXPECT_EQ(engine.services()[0].id, "b");
  // A pruned service may come back.
  EXPECT_TRUE(engine.Ingest(Point("a", 10, 1), At(12)).has_value());
}

TEST(EngineTest, ChaosMultipliesTheNextPoints) {
  Engine engine(TestOptions());
  Feed(engine, 0, 20, [](double) { return std::vector{Point("api", 400, 5)}; });
  ASSERT_TRUE(engine.InjectChaos("api", 2.5, 1.6, 3).has_value());
  EXPECT_FALSE(engine.InjectChaos("nope", 2, 1, 3).has_value());
  engine.Ingest(Point("api", 400, 5), At(20));
  engine.Tick(At(20));
  EXPECT_GT(engine.Find("api")->rho, 0.95);  // 1 000 rps offered on 1 000 of capacity
}

TEST(EngineTest, AcknowledgesEvents) {
  Engine engine(TestOptions());
  auto events = Feed(engine, 0, 20, [](double) { return std::vector{Point("api", 1500, 5)}; });
  ASSERT_FALSE(events.empty());
  EXPECT_TRUE(engine.Acknowledge(events[0].id).has_value());
  EXPECT_TRUE(engine.events().front().acknowledged);
  EXPECT_FALSE(engine.Acknowledge(999999).has_value());
}

}  // namespace
}  // namespace huddle::engine
