#pragma once

#include <cstdint>

#include "core/error.h"
#include "core/options.h"
#include "core/time.h"

namespace huddle::core {

// How ThermalPolicy chooses among the servers of the inner ring.
enum class ThermalPickMode : uint8_t {
  kRoundRobin,    // the seed's behaviour: rotate through the inner ring in order
  kLeastRequest,  // power of two choices on in-flight requests
};

// Every parameter of the HuddleCluster thermal model and of ThermalPolicy, with the defaults of
// the seed's text (docs/thermal.md explains each one and where huddle departs from the seed).
// Plain value type; Parse() validates options that come from configuration.
struct ThermalOptions {
  // Temperature: T = alpha * raw + (1 - alpha) * T, once per rotation (see thermal_model.h).
  double alpha = 0.60;
  // Weights of the raw score; raw is clamped to [0, 1].
  double weight_anomaly = 0.70;
  double weight_cpu = 0.10;
  double weight_connections = 0.10;
  double weight_memory = 0.05;
  double weight_errors = 0.05;
  double connections_scale = 1000.0;  // connections at which the connection term saturates

  // Rotation thresholds. A server is evicted at T >= min(1, heat * weight) and promoted at
  // T <= cool. With adaptive_thresholds these are the base values.
  double heat = 0.55;
  double cool = 0.30;
  int64_t min_inner = 2;
  // 0 = no cap. The seed's 5 with six servers benched the sixth from the start, silently.
  int64_t max_inner = 0;
  Duration rotation_cooldown = FromSeconds(5);  // between two ring changes of one server
  Duration outer_dwell = FromSeconds(10);       // minimum rest after an eviction
  Duration cold_start = FromSeconds(0);         // new servers wait this long in the outer ring
  Duration rotation_interval = FromSeconds(1);  // how often ThermalPolicy::Tick rotates

  // Evict any server whose mean latency is above this, whatever the median (0 = off).
  double absolute_latency_floor_ms = 0.0;

  // Adaptive thresholds from the cluster P95 history (adaptive_thresholds.h).
  bool adaptive_thresholds = false;
  int64_t adaptive_window = 20;
  Duration adaptive_interval = FromSeconds(5);

  // Evidence.
  int64_t latency_window = 10;  // request latency samples kept per server
  int64_t probe_window = 3;     // health-check latency samples kept per server
  double error_alpha = 0.10;    // error rate = EWMA of the failure indicator
  double error_breaker = 0.50;  // evict when the error rate reaches this; 1 = off
  // A failure counts as a latency sample of at least this many times the cluster median.
  double failure_latency_factor = 3.0;
  // Stale latency and error evidence loses half its weight per this much time without news.
  Duration stale_evidence_half_life = FromSeconds(10);
  // Each eviction for heat doubles that half-life, up to this factor, until the server proves
  // itself cool under traffic again (exponential backoff for servers nobody probes).
  int64_t stale_backoff_max = 16;

  ThermalPickMode pick = ThermalPickMode::kRoundRobin;

  // Reads the keys named like the fields above (durations as "5s", "250ms"; pick as
  // "round_robin" or "least_request"). Rejects unknown keys, values out of range, cool >= heat,
  // max_inner below min_inner, and lists every problem in one Error.
  static Result<ThermalOptions> Parse(const OptionMap& map);
};

}  // namespace huddle::core
