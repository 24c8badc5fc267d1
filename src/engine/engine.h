#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/control/autopilot.h"
#include "core/control/dependency_graph.h"
#include "core/control/monte_carlo_projection.h"
#include "core/control/risk_evaluator.h"
#include "core/error.h"
#include "core/random.h"
#include "core/time.h"
#include "engine/engine_options.h"
#include "engine/telemetry_point.h"

namespace huddle::engine {

struct ServiceState;  // engine/service_state.h

// What the engine knows about one service after the last tick (the snapshot's rows).
struct ServiceView {
  std::string id;
  core::SignalQuality quality = core::SignalQuality::kSparse;
  double confidence = 0.0;
  double request_rate = 0.0;   // offered attempts per second (fast EWMA)
  double unique_demand = 0.0;  // attempts without retry amplification (fast EWMA)
  double error_rate = 0.0;
  double latency_p99_ms = 0.0;     // reported
  double queue_depth = 0.0;        // reported
  double mu_per_replica = 0.0;     // estimated capacity of one replica, rps (0: unknown)
  const char* mu_source = "none";  // utilisation_law, low_concurrency, saturated_throughput
  double ready_replicas = 0.0;
  int target_replicas = 0;
  double rho = 0.0;                 // offered load / ready capacity
  double p99_predicted_ms = 0.0;    // M/M/c model plus the reported backlog
  double forecast_rps = 0.0;        // unique demand at the forecast horizon
  const char* forecaster = "none";  // chosen by recent MASE
  double mape = 0.0;                // of the chosen forecaster, at the horizon, percent
  double mase = 0.0;
  double trend_signal = 0.0;  // (fast - slow) / slow of demand
  double saturation_probability = 0.0;
  double time_to_saturation_s = 0.0;         // median over saturating scenarios; +inf if none
  double admit_probability = 1.0;            // shedding decision (capacity and SRE throttle)
  double throttle_reject_probability = 0.0;  // the SRE throttle's part
  uint32_t concurrency_limit = 0;            // 0: no limit known yet
  bool failing = false;                      // error rate above error_collapse_rate
  uint64_t points = 0;
  uint64_t rejected_samples = 0;  // NaN/negative samples the windows refused
  std::string reason;             // the autopilot's latest explanation
};

// A risk event (core RiskEvaluator) or an engine observation (retry_storm, demand_shift), with a
// sequence number for the API and acknowledgement.
struct EngineEvent {
  uint64_t id = 0;
  core::TimePoint at{};
  std::string service;
  std::string kind;      // collapse_risk, cascade_risk, saturation_predicted, keystone_degraded,
                         // latency_slo_risk, retry_storm, demand_shift
  std::string severity;  // info, warning, critical
  std::string reason;    // one plain-English line
  bool acknowledged = false;
};

// One autopilot decision for a service: journaled every time the target changes or would change
// (frozen mode), with its reason.
struct Directive {
  uint64_t id = 0;
  core::TimePoint at{};
  std::string service;
  int from = 0;
  int to = 0;
  bool act = false;  // false: frozen (recommendation only)
  std::string reason;
};

// What a proxy (or the scenario plant) applies at a service's entry until the next tick.
struct ShedDecision {
  double admit_probability = 1.0;    // admit each new request with this probability
  uint32_t concurrency_limit = 0;    // max requests in flight at the service (0: no limit)
  double retry_budget_ratio = 0.10;  // retries allowed per first attempt
  core::Duration retry_after = core::FromSeconds(1);  // for 503 responses
};

struct TickReport {
  uint64_t tick = 0;
  core::TimePoint at{};
  size_t services = 0;
  size_t pruned = 0;
  std::vector<EngineEvent> events;
  std::vector<Directive> directives;
};

struct EngineCounters {
  uint64_t points_accepted = 0;
  uint64_t points_rejected = 0;           // invalid fields
  uint64_t points_rejected_capacity = 0;  // new service beyond max_services
  uint64_t requests_rejected = 0;         // whole ingest bodies refused (not JSON, too large ...)
  uint64_t ticks = 0;
  uint64_t events = 0;
  uint64_t directives = 0;
  uint64_t services_pruned = 0;
};

// Outcome of one ingest request.
struct IngestOutcome {
  size_t accepted = 0;
  std::vector<PointError> errors;  // invalid points (each names its fields) and capacity refusals
};

// The predictive engine: telemetry in, decisions out. Per tick, for every service: windows
// (core TelemetryWindow), capacity (ServiceRateEstimator), demand forecast (ForecasterSelector,
// scored by MAPE/MASE at the horizon), Monte Carlo projection of saturation over 60 s, queue-model
// p99 (Erlang C), then risk events over the dependency graph (RiskEvaluator, with cooldown), the
// replica autopilot (MPC + HPA stabilisation, journaled with reasons) and the shedding decision.
// Pure orchestration: no I/O, no clock, no threads; time is passed in and randomness comes from a
// seeded generator, so the same inputs give the same decisions. Not thread-safe: one owner (the
// control thread) calls everything; a server wraps it in a mutex.
//
// Embedding in a proxy: each tick, call Ingest() once per cluster with a point built from the
// proxy's own statistics (FromClusterStats), then Tick(), then read Shedding(cluster) and apply
// it to new requests (admit probability, concurrency limit, retry budget; 503 + Retry-After).
class Engine {
 public:
  explicit Engine(const EngineOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Validates and records one point arriving at `now`. Errors name the field; a new service
  // beyond max_services is refused. Never crashes on bad input.
  core::Result<void> Ingest(const TelemetryPoint& point, core::TimePoint now);
  // Parses a JSON body (object or array), records every valid point, reports every invalid one.
  // A body that cannot be read at all is an Error (nothing recorded).
  core::Result<IngestOutcome> IngestBody(std::string_view body, core::TimePoint now);

  // Runs the pipeline once at `now` over every service.
  TickReport Tick(core::TimePoint now);

  // Control.
  void SetMode(core::AutopilotMode mode);
  void SetPreset(core::AutopilotPreset preset);
  core::AutopilotMode mode() const { return options_.autopilot.mode; }
  core::AutopilotPreset preset() const { return options_.autopilot.preset; }
  // Multiplies the next points of `service` (request rate by rate_factor, latencies by
  // latency_factor) for `ticks` ticks: LoadEquilibrium's chaos-run, to watch the reaction.
  core::Result<void> InjectChaos(std::string_view service, double rate_factor,
                                 double latency_factor, int ticks);
  core::Result<void> Acknowledge(uint64_t event_id);
  // Sets the replica target in force (after an actuator reports a different count, or at start).
  core::Result<void> SetTarget(std::string_view service, int replicas);

  // Readers (valid until the next non-const call).
  const std::vector<ServiceView>& services() const { return views_; }
  const ServiceView* Find(std::string_view service) const;
  ShedDecision Shedding(std::string_view service) const;
  // Unique demand (rps) the chosen forecaster expects `ahead` from the last tick; 0 if unknown.
  double ForecastDemand(std::string_view service, core::Duration ahead) const;
  const std::deque<EngineEvent>& events() const { return events_; }
  const std::deque<Directive>& journal() const { return journal_; }
  const EngineCounters& counters() const { return counters_; }
  const EngineOptions& options() const { return options_; }
  const core::DependencyGraph& graph() const { return graph_; }
  uint64_t ticks() const { return counters_.ticks; }
  std::optional<core::TimePoint> last_tick() const { return last_tick_; }

 private:
  ServiceState* FindOrAdd(const std::string& id, core::TimePoint now);
  void Absorb(ServiceState& s, core::TimePoint now);
  void Model(ServiceState& s, core::TimePoint now);
  void Decide(ServiceState& s, core::TimePoint now, TickReport& report);
  void Shed(ServiceState& s, core::TimePoint now);
  void Observe(ServiceState& s, core::TimePoint now, TickReport& report);
  void Prune(core::TimePoint now, TickReport& report);
  void Record(EngineEvent event, TickReport& report);

  EngineOptions options_;
  core::Xoshiro256 random_;
  core::DependencyGraph graph_;
  core::RiskEvaluator risk_;
  core::MonteCarloProjection projection_;
  // services_[i] is graph service i; a pruned service's slot is empty (graph keeps the name).
  std::vector<std::unique_ptr<ServiceState>> services_;
  std::unordered_map<std::string, size_t> by_id_;
  size_t live_services_ = 0;
  std::vector<ServiceView> views_;
  std::vector<core::ServiceRisk> risks_;
  std::vector<double> forecast_;          // scratch: Monte Carlo forecast path
  std::vector<double> planner_forecast_;  // scratch: planner forecast path
  std::deque<EngineEvent> events_;
  std::deque<Directive> journal_;
  EngineCounters counters_;
  uint64_t next_event_id_ = 1;
  uint64_t next_directive_id_ = 1;
  std::optional<core::TimePoint> last_tick_;
};

}  // namespace huddle::engine
