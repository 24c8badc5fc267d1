#pragma once

#include <deque>
#include <string>

#include "core/control/autopilot.h"
#include "core/control/capacity_timeline.h"
#include "core/control/cusum_detector.h"
#include "core/control/ewma_crossover.h"
#include "core/control/forecaster_selector.h"
#include "core/control/service_rate_estimator.h"
#include "core/control/telemetry_window.h"
#include "core/time.h"
#include "engine/engine.h"
#include "engine/engine_options.h"
#include "engine/offered_load.h"
#include "engine/telemetry_point.h"

namespace huddle::engine {

// Everything the Engine keeps for one service between ticks. Internal to the engine (its fields
// are the engine's working state); not thread-safe.
struct ServiceState {
  ServiceState(std::string id_in, const EngineOptions& options, core::TimePoint now);

  // Capacity of one replica: the estimator's, else workers / p50 latency; 0 when unknown.
  double MuPerReplica(const EngineOptions& options) const;
  // Per-second log-volatility of demand for the scenario generators.
  double Sigma() const;
  // Ready and pending replicas as the projection and the planner see them at `now`.
  core::CapacityTimeline Timeline(const EngineOptions& options, core::TimePoint now) const;
  ServiceView View(core::TimePoint now) const;
  // Demand (rps at the current mu) expected `steps` ticks ahead, from the load forecaster.
  // kWarn (the risk projection) extrapolates a rising trend's OLS slope as fitted: a warning may
  // come early. kPlan (the replica planner) shrinks it by trend_z standard errors first: replicas
  // bought on a noise slope are given back 300 s later, a reversal.
  enum class TrendUse { kWarn, kPlan };
  double ForecastRps(double steps, TrendUse use) const;

  std::string id;
  core::TimePoint first_seen;
  core::TimePoint last_seen;
  uint64_t points = 0;

  // Points received since the last tick, merged: rates averaged, gauges from the latest.
  int pending = 0;
  double sum_rate = 0.0;
  double sum_shed = 0.0;
  double sum_error = 0.0;
  TelemetryPoint latest;

  // Chaos injection (LoadEquilibrium's chaos-run): remaining ticks and factors.
  int chaos_ticks = 0;
  double chaos_rate = 1.0;
  double chaos_latency = 1.0;

  // Signals.
  core::TelemetryWindow attempts;  // offered attempts per second
  core::TelemetryWindow demand;    // unique demand (retry amplification removed)
  core::TelemetryWindow errors;
  core::TelemetryWindow p99_ms;
  core::TelemetryWindow queue;
  core::ServiceRateEstimator mu;
  core::ForecasterSelector forecaster;  // unique demand, rps (what is reported and scored)
  // Demand in replica units (demand / mu per replica): a falling mu (slow backend) shows as
  // rising load, so the projection and the planner see it coming. Forecast x current mu = rps.
  core::ForecasterSelector load;
  core::EwmaCrossover load_crossover;  // rising load switches risk and planning to trend models
  core::EwmaCrossover crossover;
  core::CusumDetector cusum;
  core::Autopilot autopilot;
  double last_queue = 0.0;
  core::TimePoint last_queue_at{};
  bool has_last_queue = false;
  double last_attempts = 0.0;  // latest merged sample
  double last_failed = 0.0;    // attempts of the latest sample that were shed or failed
  double last_demand = 0.0;    // latest demand fed to the forecaster (held while failing)
  double healthy_demand = 0.0;
  double amplification = 1.0;  // attempts per unique request, from the failed share
  bool failing = false;
  bool fresh = false;  // a point arrived for this tick
  core::Change shift = core::Change::kNone;

  // Replicas: the target in force and when it last went up (pending replicas arrive after the
  // provisioning delay).
  int target = 1;
  bool target_known = false;
  double ready = 1.0;
  bool replicas_lost = false;      // ready fell below target without a scale-down
  core::TimePoint last_request{};  // of new replicas (scale-up or replacement)
  bool has_request = false;
  std::string last_reason;  // the autopilot's latest explanation
  core::TimePoint last_decision{};
  bool decided = false;

  // Shedding in force, decided on the offered load predicted for the next tick.
  OfferedLoad offered;
  double admit_probability = 1.0;
  uint32_t concurrency_limit = 0;
  // Aggregate SRE throttle window: requests and accepts per tick over admission.window.
  struct Bucket {
    core::TimePoint at;
    double requests;
    double accepts;
  };
  std::deque<Bucket> throttle;  // newest last (window / tick entries)
  double throttle_reject = 0.0;
  // Shedding's evidence of capacity: completions per second served at acceptable latency (p99
  // within the SLO, backlog not growing), newest last, over admission.window; the newest entry
  // is kept however old, so a long overload does not erase what the service can serve.
  struct Served {
    core::TimePoint at;
    double rps;
  };
  std::deque<Served> good_served;
  double good_served_rps = 0.0;  // the most of good_served (0: no evidence yet)
  double shed_last_queue = 0.0;  // queue depth at the previous fresh point, for its growth
  bool shed_has_queue = false;
  bool shed_gate = false;  // the engine predicts collapse or saturation (admission applies)

  // Derived each tick.
  double rho = 0.0;
  double p99_predicted_s = 0.0;
  double saturation_probability = 0.0;
  double time_to_saturation_s = 0.0;
  double mu_estimate = 0.0;
  bool overloaded = false;
  bool retry_storm = false;
  bool quality_ok = false;
  bool storm_fired = false;
  core::TimePoint storm_at{};
};

}  // namespace huddle::engine
