#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "core/control/retry_budget.h"
#include "core/error.h"
#include "core/policy/policy.h"
#include "core/policy/server_report.h"
#include "core/random.h"
#include "sim/counter_random.h"
#include "sim/event_queue.h"
#include "sim/policy_catalog.h"
#include "sim/scenario.h"
#include "sim/sed_oracle_policy.h"
#include "sim/sim_cluster.h"
#include "sim/trial_result.h"

namespace huddle::sim {

struct SimulationOptions {
  bool record_series = false;
  // Number of buckets of the time series when recorded.
  uint32_t series_buckets = 100;
};

// One discrete-event run of a scenario with one policy and one seed, on a virtual clock.
//
// The run drives the same code the proxy runs: the policy (Pick, OnSend, Observe, ObserveProbe,
// ObserveMetrics, Tick) and the cluster brain (health checks, outlier detection), ticked every
// scenario.tick_s of virtual time. Backends are FCFS queues with c workers: a request's start time
// is the earliest time a worker frees up (the Lindley recursion), so its completion time is known
// when it is dispatched and each attempt costs a single event.
//
// Randomness: arrivals come from a generator seeded by `seed`, and every per-request draw
// (service time, error, think time, backoff) is a counter-based function of the request, so all
// policies run with the same seed see the same arrivals and the same request sizes (common random
// numbers). The policy's own random choices come from a third generator, also seeded by `seed`.
//
// Not thread-safe; runs are independent, so trials may run in parallel on separate instances.
class Simulation final : private OracleView {
 public:
  // REQUIRES: scenario outlives the simulation.
  Simulation(const Scenario& scenario, PolicySpec policy, uint64_t seed,
             SimulationOptions options = {});
  ~Simulation() override;
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  core::Result<TrialResult> Run();

 private:
  struct BackendState;
  struct Request;
  enum class AttemptResult : uint8_t;

  // OracleView
  double ExpectedDelayMs(core::BackendIndex b) const override;
  double RealisedResponseMs(core::BackendIndex b) const override;

  // The no-queueing bound of a request: its own service draw on the fastest backend that would
  // answer it successfully, or a later attempt's after the least time the earlier ones could
  // have taken to fail; +infinity when no attempt could succeed.
  double LowerBoundMs(uint64_t key, int64_t now) const;
  // Service time of attempt `attempt_key` on backend `b` if it started now with `active` others.
  double ServiceMs(const BackendState& b, uint64_t attempt_key, uint32_t active, int64_t now) const;
  bool WouldFail(const BackendState& b, uint64_t attempt_key) const;
  // Worker finish time of a job of `service_ns` joining b's FCFS queue now (and takes the worker).
  int64_t Occupy(BackendState& b, int64_t service_ns, int64_t now);
  void OnExternal(uint32_t s, int64_t now);
  void OnExternalEnd(uint32_t s, int64_t now);
  void SendServerReports(int64_t now);
  void RecordServerLatency(BackendState& b, uint32_t rif, double ms);
  double ServerLatencyEstimateMs(const BackendState& b) const;

  core::TimePoint At(int64_t ns) const { return core::TimePoint{} + core::Duration(ns); }
  void Join(uint32_t s, int64_t now);
  void StartRequest(uint64_t key, uint32_t client, int64_t now);
  void Dispatch(uint32_t slot, int64_t now);
  void EndAttempt(uint32_t slot, int64_t now);
  void FinishRequest(uint32_t slot, bool ok, int64_t now);
  void OnTick(int64_t now);
  void OnFault(uint32_t index, bool start, int64_t now);
  void Probe(uint32_t s, int64_t now);
  void ReportMetrics(int64_t now);
  void TouchInFlight(BackendState& b, int64_t now);
  double WarmupFactor(const BackendState& b, int64_t now) const;
  double ArrivalRate(double t_s) const;
  uint32_t DesiredClients(double t_s) const;
  void RecordDispatch(uint32_t s, int64_t now);
  void Reschedule(Request& r, uint32_t slot, AttemptResult result, int64_t at_ns, int64_t now);
  TrialResult Collect();

  const Scenario& scenario_;
  PolicySpec policy_spec_;
  uint64_t seed_;
  SimulationOptions options_;

  core::Xoshiro256 pick_rng_;
  core::Xoshiro256 arrival_rng_;
  CounterRandom crn_;
  EventQueue events_;
  std::unique_ptr<SimCluster> cluster_;
  std::unique_ptr<core::Policy> policy_;
  // The policy's server-report interface (Prequal, C3), or null.
  core::ServerReportConsumer* report_consumer_ = nullptr;
  // lower_bound mode: dispatch like the clairvoyant policy, record each request's bound.
  bool lower_bound_mode_ = false;
  // The attempt key of the dispatch in progress (what the clairvoyant view reads).
  uint64_t pending_attempt_key_ = 0;
  core::Xoshiro256 external_rng_;
  uint64_t external_counter_ = 0;
  uint64_t table_version_ = 0;

  std::vector<BackendState> backends_;
  std::vector<uint32_t> sim_of_core_;  // core BackendIndex -> index in backends_
  std::vector<Request> requests_;
  std::vector<uint32_t> free_slots_;
  uint32_t next_serial_ = 1;

  struct ExpandedFault {
    FaultSpec::Kind kind;
    const FaultSpec* spec;
    double start_s;
    double end_s;
  };
  std::vector<ExpandedFault> faults_;

  // Workload state.
  double max_rate_ = 0.0;
  int64_t next_arrival_ns_ = std::numeric_limits<int64_t>::max();
  uint64_t arrivals_ = 0;
  std::vector<uint8_t> client_busy_;
  std::vector<uint64_t> client_seq_;
  core::RetryBudget retry_budget_;  // requests and retries in flight
  uint64_t ticks_ = 0;
  uint64_t probe_counter_ = 0;

  // Measurement.
  int64_t measure_from_ns_ = 0;
  int64_t end_ns_ = 0;
  std::vector<float> latencies_ms_;
  std::vector<uint32_t> latency_bucket_;
  uint64_t requests_measured_ = 0;
  uint64_t requests_failed_ = 0;
  uint64_t retries_ = 0;
  uint64_t simulated_requests_ = 0;
  uint64_t attempts_ = 0;
  uint64_t events_processed_ = 0;
  int64_t bucket_ns_ = 0;
  int64_t now_ns_ = 0;
  std::vector<std::string> series_names_;
  std::vector<std::vector<uint32_t>> series_dispatch_;

  // Detection of the first fault: a sliding window of the last window_size_ attempts, marking the
  // ones sent to the faulty set.
  bool has_fault_ = false;
  std::vector<uint8_t> faulty_;  // by sim backend index
  double fault_start_s_ = 0.0;
  double fault_end_s_ = kForever;
  std::vector<uint8_t> window_;
  size_t window_pos_ = 0;
  uint32_t window_faulty_ = 0;
  uint32_t window_threshold_ = 0;
  uint64_t window_filled_ = 0;
  uint64_t faulty_attempts_since_fault_ = 0;
  uint64_t attempts_during_fault_ = 0;
  uint64_t faulty_attempts_during_fault_ = 0;
  double detect_s_ = kNaN;
  double detect_requests_ = kNaN;
  double recover_s_ = kNaN;
};

}  // namespace huddle::sim
