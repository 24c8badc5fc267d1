#pragma once

#include <cstddef>
#include <cstdint>

#include "core/control/admission_throttle.h"
#include "core/control/autopilot.h"
#include "core/control/forecaster_selector.h"
#include "core/control/monte_carlo_projection.h"
#include "core/control/risk_evaluator.h"
#include "core/control/service_rate_estimator.h"
#include "core/control/telemetry_window.h"
#include "core/time.h"
#include "engine/telemetry_point.h"

namespace huddle::engine {

// Everything the Engine needs to know, with the defaults of docs/engine.md. A value type; the
// YAML loader (engine_config.h) fills it.
struct EngineOptions {
  core::Duration tick = core::FromSeconds(2);               // LoadEquilibrium's TICK_INTERVAL
  size_t max_services = 2000;                               // new services beyond this are rejected
  core::Duration stale_after = core::FromSeconds(300);      // services silent this long are pruned
  core::Duration forecast_horizon = core::FromSeconds(30);  // MAPE/MASE are scored here
  core::Duration decision_interval = core::FromSeconds(5);  // autopilot runs this often
  double workers_per_replica = 8.0;  // servers per replica in the M/M/c model
  double shed_rho = 0.90;            // admit at most this share of capacity when overloaded
  // ... at this many standard deviations (Poisson) of the offered load above its prediction, so
  // the admitted load stays within shed_rho x capacity through per-tick noise.
  double shed_sigmas = 2.0;
  // Admission by utilisation only while collapse or saturation is predicted, and never below
  // the throughput served at acceptable latency (docs/engine.md). For a capacity model that is a
  // guess (the proxy's embedded engine turns it on); off, the model's capacity is trusted.
  bool shed_on_evidence = false;
  int client_max_attempts = 3;        // for the unique-demand estimate under retry storms
  double retry_budget_ratio = 0.10;   // retries allowed per unique request at the entry point
  double error_collapse_rate = 0.20;  // errors this high on a service mean "failing", not "idle"
  size_t event_log = 2000;            // events kept in memory (storage keeps more)
  size_t journal_log = 2000;          // directives kept in memory
  uint64_t seed = 1;                  // Monte Carlo and MPC scenarios are reproducible
  double slo_ms = 250.0;              // set by Normalise() from autopilot.planner.slo

  IngestLimits ingest;
  core::TelemetryWindowOptions window;
  core::ServiceRateOptions service_rate;
  core::ForecasterSelectorOptions forecaster;
  core::MonteCarloOptions monte_carlo;
  core::RiskOptions risk;
  core::AutopilotOptions autopilot;
  // SRE throttling with K = 2, over Envoy's 30 s window and 80 % maximum rejection (a 2-minute
  // window with no cap keeps rejecting long after an outage ends).
  core::AdmissionOptions admission{.window = core::FromSeconds(30),
                                   .max_rejection_probability = 0.8};

  // Derives the dependent settings (forecast horizon in steps, planner workers) from the others.
  void Normalise();
};

}  // namespace huddle::engine
