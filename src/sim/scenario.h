#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/options.h"
#include "sim/service_model.h"

namespace huddle::sim {

inline constexpr double kForever = std::numeric_limits<double>::infinity();

// One simulated backend. Times are seconds of virtual time from the start of the run.
struct SimBackendSpec {
  std::string name;
  double weight = 1.0;
  // Parallel workers; requests beyond them wait in a FIFO queue. 0 = unlimited (every request is
  // served at once, as the seed's sleeping FakeServer does).
  uint32_t workers = 1;
  ServiceSpec service;
  // The backend joins the cluster at this time (0 = from the start).
  double join_at_s = 0.0;
  // Cold start: service times are multiplied by warmup_factor when the backend joins, falling
  // linearly to 1 over warmup_s (caches and JIT warming up).
  double warmup_s = 0.0;
  double warmup_factor = 1.0;
  // Outside traffic: Poisson arrivals per second that reach this backend directly (other clients,
  // batch jobs), take its workers like any request and never pass through the balancer. Probes
  // and server feedback count them in the backend's requests in flight; the balancer's own
  // counts do not (Prequal's antagonist load).
  double external_rate_per_s = 0.0;
};

// A fault on one or more backends between start_s and end_s (end_s = kForever: never recovers).
//   kSlow       service times multiplied by factor
//   kRefuse     crash as fast refusal: new requests are refused in refuse_ms, in-flight ones reset
//   kBlackhole  crash as a black hole: requests are accepted and never answered (client timeout)
//   kErrors     each response is an HTTP 500 with probability rate
//   kFlap       alternates kRefuse (down) and healthy (up), period_s each, between start and end
struct FaultSpec {
  enum class Kind : uint8_t { kSlow, kRefuse, kBlackhole, kErrors, kFlap };
  Kind kind = Kind::kSlow;
  std::vector<uint32_t> backends;
  double start_s = 0.0;
  double end_s = kForever;
  double factor = 5.0;
  double rate = 0.5;
  double period_s = 2.0;

  static const char* KindName(Kind kind);
};

// A change of the offered load at a time: open loop sets the arrival rate, closed loop the number
// of clients. With ramp_s > 0 the value moves linearly from the previous one over ramp_s.
struct LoadStep {
  double at_s = 0.0;
  double value = 0.0;
  double ramp_s = 0.0;
};

struct WorkloadSpec {
  enum class Kind : uint8_t { kOpen, kClosed };
  Kind kind = Kind::kOpen;
  double rate_per_s = 100.0;  // open loop: Poisson arrivals
  uint32_t clients = 10;      // closed loop: each sends, waits for the answer, thinks, repeats
  double think_ms = 0.0;      // closed loop: mean of an exponential think time (0 = none)
  std::vector<LoadStep> steps;
  // Per-attempt timeout of the proxy (an attempt that takes longer fails with kTimeout).
  double timeout_ms = 1000.0;
};

// The proxy's retry policy (Envoy's shape: attempts, retry budget, jittered exponential backoff,
// and the "previous hosts" predicate that re-picks to avoid the backend that just failed).
struct RetrySpec {
  uint32_t attempts = 1;  // total tries per request; 1 = no retries
  bool on_connect_failure = true;
  bool on_reset = true;
  bool on_timeout = true;
  bool on_5xx = true;
  double budget_ratio =
      0.2;  // retries in flight <= max(min_concurrency, ratio * requests in flight)
  uint32_t min_concurrency = 3;   // Envoy's min_retry_concurrency
  double backoff_base_ms = 25.0;  // Envoy's default base interval
  double backoff_max_ms = 250.0;
  uint32_t other_host_picks = 3;  // re-picks to avoid the host of the previous attempt
};

// Active health checks, as the proxy runs them: one probe per backend per interval.
struct HealthCheckSpec {
  bool enabled = true;
  double interval_s = 1.0;
  double timeout_ms = 1000.0;
  // A probe goes through the backend's queue but does not hold a worker; its latency is the
  // current queue wait plus cost times a service draw.
  double cost = 1.0;
  uint32_t rise = 2;
  uint32_t fall = 3;
};

// Backend load reports (for metrics_weighted): every interval, the utilisation of each backend over
// the interval as "cpu", its mean requests in flight as "load_average".
struct MetricsSpec {
  double interval_s = 1.0;
};

// A complete scenario: what the cluster is, what load it gets, what goes wrong and when.
struct Scenario {
  std::string name;
  std::string description;
  double duration_s = 10.0;
  // Requests finishing before warmup_s are simulated but not measured.
  double measure_from_s = 0.0;
  double tick_s = 0.1;  // the proxy's control tick
  std::vector<SimBackendSpec> backends;
  WorkloadSpec workload;
  RetrySpec retry;
  HealthCheckSpec health_check;
  MetricsSpec metrics;
  std::vector<FaultSpec> faults;
  // Default policies to compare (labels of PolicySpecs); empty = the standard set.
  std::vector<std::string> policies;
  // Extra option overrides per policy label ("thermal" -> {heat: 0.5}), applied on top of the
  // catalogue's.
  std::vector<std::pair<std::string, core::OptionMap>> policy_options;
  uint32_t trials = 10;
  uint64_t seed = 1;
};

}  // namespace huddle::sim
