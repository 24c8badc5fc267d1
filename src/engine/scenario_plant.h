#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/random.h"
#include "engine/engine.h"
#include "engine/telemetry_point.h"

namespace huddle::engine {

// How one plant service behaves at second t (scenario profiles are functions of t).
struct PlantProfile {
  std::function<double(double)> demand;  // unique requests per second offered by clients (entry)
  std::function<double(double)> service_time_s = [](double) { return 0.040; };  // mean S
  std::function<double(double)> error_rate = [](double) { return 0.0; };  // injected, fast errors
  std::function<bool(double)> down = [](double) { return false; };        // every request fails
};

// One service of the plant. Entry services receive client demand (with retries); the others
// receive the calls of their callers.
struct PlantServiceSpec {
  std::string id;
  bool entry = true;
  std::vector<std::string> callers;  // each admitted request of a caller calls this service once
  PlantProfile profile;
  int initial_replicas = 8;
};

// What happened at one service in one second (the truth the criteria are computed from).
struct PlantSecond {
  double t = 0;
  double unique = 0;     // first attempts (entry) or calls (inner)
  double attempts = 0;   // arrivals at the entry, retries included
  double forwarded = 0;  // attempts that passed the retry budget
  double shed = 0;       // rejected at the entry (admission, concurrency, retry budget)
  double admitted = 0;
  double errors = 0;          // admitted requests that failed (own or downstream)
  double final_failures = 0;  // unique requests that gave up
  double served = 0;
  double backlog = 0;
  double capacity = 0;        // healthy replicas x mu, rps
  double rho = 0;             // (admitted ok) / capacity
  double offered_rho = 0;     // unique demand / capacity
  double p99_s = 0;           // of admitted, successful requests, this service and below
  double mu_per_replica = 0;  // truth
  int healthy = 0;            // serving replicas
  int provisioned = 0;        // healthy + failing + pending (what is paid for)
  int target = 0;             // engine target in force
  double admit_probability = 1;
  double throttle_reject = 0;  // engine's SRE part
  bool telemetry_sent = false;
  double measured_cpu = 0;  // the telemetry point's cpu_usage (what an alarm sees), if sent
};

// What a controller (the engine, or a baseline) asks of one service after its tick: the replica
// target, whether lost or failing replicas are replaced now, and the entry's admission.
struct PlantDecision {
  int target = 1;
  bool replace = false;          // replace failing/ejected replicas (a replacement directive)
  double admit_probability = 1;  // at the entry
  uint32_t concurrency_limit = 0;
  double retry_budget_ratio = 0.10;  // the clients' retry budget (SRE: 10 %)
  double throttle_reject = 0;        // recorded only
};

// Plant options (engine-anchors section 8).
struct PlantOptions {
  double workers_per_replica = 8;
  double service_cv2 = 0.284;  // lognormal sigma 0.5: cs^2 = e^{0.25} - 1
  double delay_min_s = 20;     // provisioning delay ~ U(min, max)
  double delay_max_s = 40;
  double dropout = 0.02;   // telemetry points lost
  double corrupt = 0.005;  // points with a NaN or negative field (rejected by the engine)
  int client_attempts = 3;
  bool closed_loop = true;   // false: targets and shedding are ignored (open loop)
  double eject_after_s = 1;  // the proxy ejects fast-failing replicas after this long
};

// A fluid, one-second-step model of services behind huddle: replicas with M/M/c queueing
// (Allen-Cunneen for lognormal service times), a FIFO backlog when demand exceeds capacity,
// provisioning delay, fast-failing replicas ejected by the proxy, client retries bounded by the
// retry budget, shedding and concurrency limits applied at each service's entry, and telemetry
// with dropouts and corrupt points. Deterministic for a seed. Not thread-safe.
class ScenarioPlant {
 public:
  ScenarioPlant(std::vector<PlantServiceSpec> services, const PlantOptions& options, uint64_t seed);

  // Advances one second to t and returns this second's telemetry (some points dropped or
  // corrupt) for the engine.
  std::vector<TelemetryPoint> Step(double t);
  // Applies the engine's decisions after its tick at t: targets, replacements, shedding.
  void Apply(const Engine& engine, const TickReport& report, double t);
  // Applies one controller's decision for `service` after its tick at t (Apply's core; baselines
  // call it directly). Lost replicas (gone, not failing) are always re-created up to the target,
  // as a Kubernetes ReplicaSet does.
  void ApplyDecision(size_t service, const PlantDecision& decision, double t);

  // Kills `count` healthy replicas of `service` now; `failing` keeps them as fast-failing
  // replicas (crash) until `recover_at`, otherwise they are gone (capacity loss).
  void Kill(const std::string& service, int count, bool failing, double recover_at);
  // Kills ceil(fraction x healthy) replicas (see Kill).
  void KillFraction(const std::string& service, double fraction, bool failing, double recover_at);

  const std::vector<PlantSecond>& history(size_t service) const {
    return services_[service].history;
  }
  size_t size() const { return services_.size(); }
  const std::string& id(size_t service) const { return services_[service].spec.id; }
  size_t Index(const std::string& id) const;
  const PlantOptions& options() const { return options_; }

 private:
  struct Service {
    PlantServiceSpec spec;
    int healthy = 0;
    int failing = 0;  // fast-failing, not yet ejected
    int ejected = 0;  // fast-failing, ejected by the proxy
    double failing_since = 0;
    double recover_at = 1e300;
    std::vector<double> pending;  // ready times of replicas being provisioned
    int target = 0;
    double backlog = 0;
    double f1 = 0, f2 = 0;  // failed first / second attempts of the last second
    double admit = 1.0;
    uint32_t limit = 0;
    double throttle = 0;
    double budget = 0.10;
    std::vector<size_t> callers;
    // This second, for the backward pass.
    double fail_share = 0;  // (shed + errors) / attempts reaching the service
    double p99 = 0;
    std::vector<PlantSecond> history;
  };
  double Normal();
  double Poisson(double mean);
  double Delay();

  PlantOptions options_;
  core::Xoshiro256 random_;
  std::vector<Service> services_;
};

}  // namespace huddle::engine
