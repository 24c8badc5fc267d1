#include "sim/simulation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "core/stats/gini.h"

namespace huddle::sim {
namespace {

// Streams of the counter-based generator (service draws use 11 and 12, see service_model.cc).
constexpr uint64_t kErrorStream = 21;
constexpr uint64_t kThinkStream = 22;
constexpr uint64_t kBackoffStream = 23;
constexpr uint64_t kProbeStream = 24;
constexpr uint64_t kProbeErrorStream = 25;

// Keys of outside requests live above every balancer request's key.
constexpr uint64_t kExternalKeyBase = 1ULL << 62;

// A backend's own latency estimate, what it tells Prequal's probes: as in Prequal, the latency
// it expects at its current requests in flight, here an EWMA (weight kServerLatencyWeight on the
// newest) of the response times of requests that arrived with that many in flight, per count up
// to kLatencyBuckets - 1 (larger counts share the last bucket).
constexpr double kServerLatencyWeight = 0.2;
constexpr size_t kLatencyBuckets = 64;

// Prequal asks for a handful of probes per pick; more than this are not sent.
constexpr size_t kMaxProbesPerPick = 16;

// Attempts per request are folded into the per-request key; no request makes this many.
constexpr uint64_t kMaxAttemptsInKey = 64;

// An attempt to a backend that is not listening comes back this fast when the fault gives none.
constexpr int64_t NsFromMs(double ms) { return static_cast<int64_t>(ms * 1e6); }
constexpr int64_t NsFromS(double s) { return static_cast<int64_t>(s * 1e9); }
constexpr double MsFromNs(int64_t ns) { return static_cast<double>(ns) * 1e-6; }

// Expected attempts to the faulty set in the detection window at fair share; detection and
// recovery compare the window's count with half of it.
constexpr double kWindowExpectedFaulty = 20.0;

// Beyond this many backends the traffic-share series groups them.
constexpr size_t kMaxSeriesBackends = 24;

}  // namespace

std::vector<std::string> MetricNames() {
  return {"p50_ms", "p95_ms",          "p99_ms",   "p999_ms",   "mean_ms",          "error_pct",
          "gini",   "detect_requests", "detect_s", "recover_s", "faulty_share_pct", "retries_pct"};
}

enum class Simulation::AttemptResult : uint8_t { kOk, kServerError, kRefused, kReset, kTimeout };

struct Simulation::BackendState {
  const SimBackendSpec* spec = nullptr;
  core::BackendIndex core_index = core::kNoBackend;
  bool joined = false;
  int64_t join_ns = 0;
  // Times at which each worker becomes free, as a min-heap (front = earliest).
  std::vector<int64_t> free_at;
  uint32_t in_flight = 0;
  double slow = 1.0;
  int refuse = 0;
  int blackhole = 0;
  double error_rate = 0.0;
  int64_t refuse_ns = NsFromMs(0.5);
  // For load reports.
  double busy_ms = 0.0;
  double in_flight_integral = 0.0;  // requests x ns since the last report
  int64_t last_change_ns = 0;
  uint64_t dispatched_measured = 0;
  uint32_t series_group = 0;
  // The backend's own latency by requests in flight at arrival (see kLatencyBuckets); < 0: none.
  std::array<double, kLatencyBuckets> latency_by_rif;
  BackendState() { latency_by_rif.fill(-1.0); }
};

struct Simulation::Request {
  int64_t start_ns = 0;
  int64_t dispatch_ns = 0;
  int64_t result_ns = 0;
  uint64_t key = 0;
  uint32_t client = 0;
  uint32_t serial = 0;  // of the scheduled AttemptEnd; 0 when none is pending
  uint32_t tries = 0;
  uint32_t backend = 0;          // sim index of the current or last attempt
  double service_ms = 0.0;       // of the current attempt (server feedback)
  uint32_t rif_at_dispatch = 0;  // requests in flight at the backend when the attempt arrived
  double bound_ms = 0.0;         // lower_bound mode: the request's no-queueing bound
  AttemptResult result = AttemptResult::kOk;
  bool live = false;
  bool in_retry = false;
};

Simulation::Simulation(const Scenario& scenario, PolicySpec policy, uint64_t seed,
                       SimulationOptions options)
    : scenario_(scenario),
      policy_spec_(std::move(policy)),
      seed_(seed),
      options_(options),
      pick_rng_(seed * 0x9e3779b97f4a7c15ULL + 1),
      arrival_rng_(seed * 0xbf58476d1ce4e5b9ULL + 2),
      crn_(seed),
      external_rng_(seed * 0x94d049bb133111ebULL + 3),
      retry_budget_(
          core::RetryBudgetOptions{.budget_percent = scenario.retry.budget_ratio * 100.0,
                                   .min_retry_concurrency = scenario.retry.min_concurrency}) {}

Simulation::~Simulation() = default;

double Simulation::WarmupFactor(const BackendState& b, int64_t now) const {
  const SimBackendSpec& spec = *b.spec;
  if (spec.warmup_s <= 0.0 || spec.warmup_factor == 1.0) return 1.0;
  const double since = static_cast<double>(now - b.join_ns) * 1e-9;
  if (since >= spec.warmup_s) return 1.0;
  return spec.warmup_factor + (1.0 - spec.warmup_factor) * since / spec.warmup_s;
}

double Simulation::ExpectedDelayMs(core::BackendIndex core_b) const {
  if (core_b >= sim_of_core_.size()) return kForever;
  const BackendState& b = backends_[sim_of_core_[core_b]];
  if (!b.joined || b.refuse > 0 || b.blackhole > 0 || b.error_rate >= 1.0) return kForever;
  const double service = b.spec->service.MeanMs(b.in_flight) * b.slow * WarmupFactor(b, now_ns_);
  double delay = service;
  const uint32_t c = b.spec->workers;
  if (c > 0 && b.in_flight >= c) delay += (b.in_flight - c + 1) * service / c;
  // A 500 costs a retry: count the expected number of tries.
  return delay / (1.0 - b.error_rate);
}

double Simulation::ServiceMs(const BackendState& b, uint64_t attempt_key, uint32_t active,
                             int64_t now) const {
  return b.spec->service.SampleMs(crn_, attempt_key, active) * b.slow * WarmupFactor(b, now);
}

bool Simulation::WouldFail(const BackendState& b, uint64_t attempt_key) const {
  if (!b.joined || b.refuse > 0 || b.blackhole > 0) return true;
  return b.error_rate > 0.0 && crn_.Unit(attempt_key, kErrorStream) < b.error_rate;
}

double Simulation::RealisedResponseMs(core::BackendIndex core_b) const {
  if (core_b >= sim_of_core_.size()) return kForever;
  const BackendState& b = backends_[sim_of_core_[core_b]];
  if (WouldFail(b, pending_attempt_key_)) return kForever;
  const int64_t start = b.free_at.empty() ? now_ns_ : std::max(now_ns_, b.free_at.front());
  const double ms =
      MsFromNs(start - now_ns_) + ServiceMs(b, pending_attempt_key_, b.in_flight, now_ns_);
  const double timeout_ms = scenario_.workload.timeout_ms;
  return timeout_ms > 0.0 && ms > timeout_ms ? kForever : ms;
}

double Simulation::LowerBoundMs(uint64_t key, int64_t now) const {
  // Attempt k can only be made after attempts 1..k-1 failed, and a failure takes time: a refusal
  // its refusal time, a black hole or a queue that outlasts the per-try timeout the timeout, a
  // 500 the service draw it answers after. So the bound is the minimum over k of (the least time
  // attempts 1..k-1 could have taken to fail) + (attempt k's least successful service draw).
  const double timeout_ms =
      scenario_.workload.timeout_ms > 0.0 ? scenario_.workload.timeout_ms : kForever;
  const uint32_t attempts = std::max<uint32_t>(1, scenario_.retry.attempts);
  double best = kForever;
  double failed_before = 0.0;  // least time the attempts so far could have taken to fail
  for (uint32_t tries = 1; tries <= attempts && failed_before < best; ++tries) {
    const uint64_t attempt_key = key * kMaxAttemptsInKey + std::min<uint64_t>(tries, 63);
    double ok = kForever;
    double fail = timeout_ms;
    for (const BackendState& b : backends_) {
      if (!b.joined) continue;
      if (b.refuse > 0) {
        fail = std::min(fail, MsFromNs(b.refuse_ns));
        continue;
      }
      if (b.blackhole > 0) continue;  // fails after the timeout, already counted
      const double service = ServiceMs(b, attempt_key, 0, now);
      if (WouldFail(b, attempt_key)) {
        fail = std::min(fail, service);  // an HTTP 500 after its service time
      } else if (service <= timeout_ms) {
        ok = std::min(ok, service);
      }
    }
    best = std::min(best, failed_before + ok);
    failed_before += fail;
  }
  return best;
}

int64_t Simulation::Occupy(BackendState& b, int64_t service_ns, int64_t now) {
  int64_t finish;
  if (b.free_at.empty()) {
    finish = now + service_ns;  // unlimited workers
  } else if (b.free_at.size() == 1) {
    finish = std::max(now, b.free_at[0]) + service_ns;
    b.free_at[0] = finish;
  } else {
    std::pop_heap(b.free_at.begin(), b.free_at.end(), std::greater<>());
    finish = std::max(now, b.free_at.back()) + service_ns;
    b.free_at.back() = finish;
    std::push_heap(b.free_at.begin(), b.free_at.end(), std::greater<>());
  }
  return finish;
}

void Simulation::RecordServerLatency(BackendState& b, uint32_t rif, double ms) {
  double& slot = b.latency_by_rif[std::min<size_t>(rif, kLatencyBuckets - 1)];
  slot = slot < 0.0 ? ms : slot + kServerLatencyWeight * (ms - slot);
}

double Simulation::ServerLatencyEstimateMs(const BackendState& b) const {
  // The bucket of the current count, else the nearest measured below it, else above it.
  const size_t at = std::min<size_t>(b.in_flight, kLatencyBuckets - 1);
  for (size_t i = at + 1; i-- > 0;) {
    if (b.latency_by_rif[i] >= 0.0) return b.latency_by_rif[i];
  }
  for (size_t i = at + 1; i < kLatencyBuckets; ++i) {
    if (b.latency_by_rif[i] >= 0.0) return b.latency_by_rif[i];
  }
  return 0.0;
}

void Simulation::OnExternal(uint32_t s, int64_t now) {
  BackendState& b = backends_[s];
  const double rate = b.spec->external_rate_per_s;
  events_.Push(
      now + std::max<int64_t>(1, NsFromS(-std::log(1.0 - external_rng_.UnitDouble()) / rate)),
      EventKind::kExternal, s);
  // A crashed or absent server gets no outside work either.
  if (!b.joined || b.refuse > 0 || b.blackhole > 0) return;
  const uint64_t key = kExternalKeyBase + ++external_counter_;
  const double service_ms = ServiceMs(b, key, b.in_flight, now);
  b.busy_ms += service_ms;
  const int64_t finish = Occupy(b, NsFromMs(service_ms), now);
  RecordServerLatency(b, b.in_flight, MsFromNs(finish - now));
  TouchInFlight(b, now);
  ++b.in_flight;
  events_.Push(finish, EventKind::kExternalEnd, s);
}

void Simulation::OnExternalEnd(uint32_t s, int64_t now) {
  BackendState& b = backends_[s];
  TouchInFlight(b, now);
  if (b.in_flight > 0) --b.in_flight;
}

void Simulation::SendServerReports(int64_t now) {
  std::array<core::BackendIndex, kMaxProbesPerPick> targets;
  const size_t n = report_consumer_->ProbeTargets(At(now), pick_rng_, targets);
  for (size_t i = 0; i < n; ++i) {
    if (targets[i] >= sim_of_core_.size()) continue;
    const BackendState& b = backends_[sim_of_core_[targets[i]]];
    // A probe to a crashed or black-holed server gets no reply. Replies arrive at once: the probe
    // round trip is left out (a simplification in Prequal's favour).
    if (!b.joined || b.refuse > 0 || b.blackhole > 0) continue;
    core::ServerReport report;
    report.requests_in_flight = b.in_flight;
    report.latency_ms = ServerLatencyEstimateMs(b);
    report_consumer_->ObserveServerReport(targets[i], report, true, At(now));
  }
}

double Simulation::ArrivalRate(double t_s) const {
  double rate = scenario_.workload.rate_per_s;
  for (const LoadStep& step : scenario_.workload.steps) {
    if (t_s < step.at_s) break;
    if (step.ramp_s > 0.0 && t_s < step.at_s + step.ramp_s) {
      rate += (step.value - rate) * (t_s - step.at_s) / step.ramp_s;
      break;
    }
    rate = step.value;
  }
  return rate;
}

uint32_t Simulation::DesiredClients(double t_s) const {
  double clients = scenario_.workload.clients;
  for (const LoadStep& step : scenario_.workload.steps) {
    if (t_s < step.at_s) break;
    if (step.ramp_s > 0.0 && t_s < step.at_s + step.ramp_s) {
      clients += (step.value - clients) * (t_s - step.at_s) / step.ramp_s;
      break;
    }
    clients = step.value;
  }
  return static_cast<uint32_t>(std::lround(std::max(0.0, clients)));
}

void Simulation::TouchInFlight(BackendState& b, int64_t now) {
  b.in_flight_integral +=
      static_cast<double>(b.in_flight) * static_cast<double>(now - b.last_change_ns);
  b.last_change_ns = now;
}

void Simulation::Join(uint32_t s, int64_t now) {
  BackendState& b = backends_[s];
  b.joined = true;
  b.join_ns = now;
  b.last_change_ns = now;
  b.core_index = cluster_->Add(b.spec->name, b.spec->weight, At(now));
  if (sim_of_core_.size() <= b.core_index) sim_of_core_.resize(b.core_index + 1, 0);
  sim_of_core_[b.core_index] = s;
}

void Simulation::StartRequest(uint64_t key, uint32_t client, int64_t now) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(requests_.size());
    requests_.emplace_back();
  }
  Request& r = requests_[slot];
  r.start_ns = now;
  r.key = key;
  r.client = client;
  r.tries = 0;
  r.live = true;
  r.in_retry = false;
  r.serial = 0;
  if (lower_bound_mode_) r.bound_ms = LowerBoundMs(key, now);
  retry_budget_.RequestStarted();
  ++simulated_requests_;
  Dispatch(slot, now);
}

void Simulation::RecordDispatch(uint32_t s, int64_t now) {
  ++attempts_;
  BackendState& b = backends_[s];
  if (now >= measure_from_ns_) ++b.dispatched_measured;
  if (options_.record_series) {
    const size_t bucket = std::min<size_t>(now / bucket_ns_, options_.series_buckets - 1);
    ++series_dispatch_[b.series_group][bucket];
  }
  if (!has_fault_) return;
  const uint8_t is_faulty = faulty_[s];
  window_faulty_ += is_faulty;
  window_faulty_ -= window_[window_pos_];
  window_[window_pos_] = is_faulty;
  if (++window_pos_ == window_.size()) window_pos_ = 0;
  ++window_filled_;
  const double t = static_cast<double>(now) * 1e-9;
  if (t < fault_start_s_) return;
  if (t < fault_end_s_) {
    ++attempts_during_fault_;
    faulty_attempts_during_fault_ += is_faulty;
    faulty_attempts_since_fault_ += is_faulty;
    if (std::isnan(detect_s_) && window_filled_ >= window_.size() &&
        window_faulty_ < window_threshold_) {
      detect_s_ = t - fault_start_s_;
      detect_requests_ = static_cast<double>(faulty_attempts_since_fault_);
    }
  } else if (std::isnan(recover_s_) && window_faulty_ >= window_threshold_) {
    recover_s_ = t - fault_end_s_;
  }
}

void Simulation::Reschedule(Request& r, uint32_t slot, AttemptResult result, int64_t at_ns,
                            int64_t now) {
  r.result = result;
  r.result_ns = std::max(at_ns, now);
  r.serial = next_serial_++;
  if (next_serial_ == 0) next_serial_ = 1;
  events_.Push(r.result_ns, EventKind::kAttemptEnd, slot, r.serial);
}

void Simulation::Dispatch(uint32_t slot, int64_t now) {
  Request& r = requests_[slot];
  const core::PickContext ctx{At(now), pick_rng_, std::nullopt};
  pending_attempt_key_ = r.key * kMaxAttemptsInKey + std::min<uint64_t>(r.tries + 1, 63);
  std::optional<core::BackendIndex> pick = policy_->Pick(ctx);
  if (pick && r.tries > 0) {
    // Envoy's previous_hosts retry predicate: re-pick a few times to avoid the last host.
    const core::BackendIndex last = backends_[r.backend].core_index;
    for (uint32_t i = 0; i < scenario_.retry.other_host_picks && pick && *pick == last; ++i) {
      pick = policy_->Pick(ctx);
    }
  }
  ++r.tries;
  if (!pick || *pick >= sim_of_core_.size()) {
    // No backend to send to: the proxy answers 503 itself; not retried.
    FinishRequest(slot, false, now);
    return;
  }
  const uint32_t s = sim_of_core_[*pick];
  BackendState& b = backends_[s];
  r.backend = s;
  r.dispatch_ns = now;
  policy_->OnSend(*pick, At(now));
  if (report_consumer_ != nullptr) SendServerReports(now);
  RecordDispatch(s, now);
  TouchInFlight(b, now);
  const uint32_t active_before = b.in_flight;
  ++b.in_flight;
  r.rif_at_dispatch = active_before;

  const int64_t timeout_ns = NsFromMs(scenario_.workload.timeout_ms);
  if (!b.joined || b.refuse > 0) {
    Reschedule(r, slot, AttemptResult::kRefused, now + b.refuse_ns, now);
    return;
  }
  if (b.blackhole > 0) {
    Reschedule(r, slot, AttemptResult::kTimeout, now + timeout_ns, now);
    return;
  }
  const uint64_t attempt_key = r.key * kMaxAttemptsInKey + std::min<uint64_t>(r.tries, 63);
  const double service_ms = ServiceMs(b, attempt_key, active_before, now);
  b.busy_ms += service_ms;
  r.service_ms = service_ms;
  const int64_t finish = Occupy(b, NsFromMs(service_ms), now);
  if (timeout_ns > 0 && finish - now > timeout_ns) {
    // The worker stays busy until `finish`; the client gives up earlier.
    Reschedule(r, slot, AttemptResult::kTimeout, now + timeout_ns, now);
    return;
  }
  const bool error = b.error_rate > 0.0 && crn_.Unit(attempt_key, kErrorStream) < b.error_rate;
  Reschedule(r, slot, error ? AttemptResult::kServerError : AttemptResult::kOk, finish, now);
}

void Simulation::EndAttempt(uint32_t slot, int64_t now) {
  Request& r = requests_[slot];
  r.serial = 0;
  BackendState& b = backends_[r.backend];
  TouchInFlight(b, now);
  --b.in_flight;
  const core::Duration latency(now - r.dispatch_ns);
  core::Outcome outcome;
  bool retryable = false;
  const RetrySpec& retry = scenario_.retry;
  switch (r.result) {
    case AttemptResult::kOk:
      outcome = core::Outcome::Success(latency, 200);
      break;
    case AttemptResult::kServerError:
      outcome = core::Outcome::Success(latency, 500);
      retryable = retry.on_5xx;
      break;
    case AttemptResult::kRefused:
      outcome = core::Outcome::Failure(latency, core::FailureKind::kConnectRefused);
      retryable = retry.on_connect_failure;
      break;
    case AttemptResult::kReset:
      outcome = core::Outcome::Failure(latency, core::FailureKind::kReset);
      retryable = retry.on_reset;
      break;
    case AttemptResult::kTimeout:
      outcome = core::Outcome::Failure(latency, core::FailureKind::kTimeout);
      retryable = retry.on_timeout;
      break;
  }
  policy_->Observe(b.core_index, outcome, At(now));
  cluster_->Observe(b.core_index, outcome, At(now));
  if (r.result == AttemptResult::kOk || r.result == AttemptResult::kServerError) {
    RecordServerLatency(b, r.rif_at_dispatch, MsFromNs(now - r.dispatch_ns));
    if (report_consumer_ != nullptr) {
      // C3's feedback, piggybacked on the response: the server's queue and this service time.
      core::ServerReport report;
      report.requests_in_flight = b.in_flight;
      report.service_ms = r.service_ms;
      report_consumer_->ObserveServerReport(b.core_index, report, false, At(now));
    }
  }
  if (r.in_retry) {
    r.in_retry = false;
    retry_budget_.RetryFinished();
  }
  if (outcome.ok) {
    FinishRequest(slot, true, now);
    return;
  }
  // The proxy's budget (core::RetryBudget, Envoy's): asked only when the request may retry.
  if (retryable && r.tries < retry.attempts && retry_budget_.TryStartRetry()) {
    r.in_retry = true;
    ++retries_;
    // Fully jittered exponential backoff (Envoy): uniform in [0, min(max, base * 2^(tries-1))).
    const double cap =
        std::min(retry.backoff_max_ms, retry.backoff_base_ms * std::ldexp(1.0, r.tries - 1));
    const double wait_ms = cap * crn_.Unit(r.key * kMaxAttemptsInKey + r.tries, kBackoffStream);
    if (wait_ms <= 0.0) {
      Dispatch(slot, now);
    } else {
      events_.Push(now + NsFromMs(wait_ms), EventKind::kRetry, slot, 0);
    }
    return;
  }
  FinishRequest(slot, false, now);
}

void Simulation::FinishRequest(uint32_t slot, bool ok, int64_t now) {
  Request& r = requests_[slot];
  r.live = false;
  retry_budget_.RequestFinished();
  if (now >= measure_from_ns_) {
    ++requests_measured_;
    if (lower_bound_mode_) {
      // The bound stands in for the latency; a request no backend could answer fails.
      ok = std::isfinite(r.bound_ms);
      if (!ok) ++requests_failed_;
      latencies_ms_.push_back(static_cast<float>(ok ? r.bound_ms : MsFromNs(now - r.start_ns)));
    } else {
      if (!ok) ++requests_failed_;
      latencies_ms_.push_back(static_cast<float>(MsFromNs(now - r.start_ns)));
    }
    if (options_.record_series) {
      latency_bucket_.push_back(static_cast<uint32_t>(now / bucket_ns_));
    }
  }
  const uint32_t client = r.client;
  free_slots_.push_back(slot);
  if (scenario_.workload.kind != WorkloadSpec::Kind::kClosed) return;
  client_busy_[client] = 0;
  if (client >= DesiredClients(static_cast<double>(now) * 1e-9)) return;  // retired
  client_busy_[client] = 1;
  const double think_ms = scenario_.workload.think_ms;
  const uint64_t seq = ++client_seq_[client];
  if (think_ms > 0.0 || now == r.start_ns) {
    // A request that failed at once (no backend) must not loop back into itself at the same
    // instant: the client waits at least a millisecond.
    const uint64_t key = (static_cast<uint64_t>(client) << 40) | seq;
    events_.Push(now + NsFromMs(std::max(1.0 * (now == r.start_ns),
                                         think_ms * crn_.Exponential(key, kThinkStream))),
                 EventKind::kClientNext, client, 0);
  } else {
    StartRequest((static_cast<uint64_t>(client) << 40) | seq, client, now);
  }
}

void Simulation::Probe(uint32_t s, int64_t now) {
  BackendState& b = backends_[s];
  const HealthCheckSpec& hc = scenario_.health_check;
  core::Outcome o;
  const uint64_t key = ++probe_counter_;
  if (b.refuse > 0) {
    o = core::Outcome::Failure(core::Duration(b.refuse_ns), core::FailureKind::kConnectRefused);
  } else if (b.blackhole > 0) {
    o = core::Outcome::Failure(core::Duration(NsFromMs(hc.timeout_ms)),
                               core::FailureKind::kTimeout);
  } else {
    int64_t wait_ns = 0;
    if (!b.free_at.empty()) wait_ns = std::max<int64_t>(0, b.free_at.front() - now);
    const double ms = MsFromNs(wait_ns) + hc.cost *
                                              b.spec->service.SampleMs(crn_, key, b.in_flight) *
                                              b.slow * WarmupFactor(b, now);
    if (ms > hc.timeout_ms) {
      o = core::Outcome::Failure(core::Duration(NsFromMs(hc.timeout_ms)),
                                 core::FailureKind::kTimeout);
    } else {
      const bool error = b.error_rate > 0.0 && crn_.Unit(key, kProbeErrorStream) < b.error_rate;
      o = core::Outcome::Success(core::Duration(NsFromMs(ms)), error ? 500 : 200);
    }
  }
  (void)kProbeStream;
  // The probe's result is delivered at the tick that sent it (its latency is reported, not
  // waited for): a simplification worth at most one health-check interval of delay.
  cluster_->ObserveProbe(b.core_index, o, At(now));
  policy_->ObserveProbe(b.core_index, o, At(now));
}

void Simulation::ReportMetrics(int64_t now) {
  const double interval_ns = scenario_.metrics.interval_s * 1e9;
  for (BackendState& b : backends_) {
    if (!b.joined) continue;
    TouchInFlight(b, now);
    core::BackendMetrics m;
    m.timestamp = At(now);
    const double workers = b.spec->workers;
    if (b.refuse == 0 && b.blackhole == 0) {
      if (workers > 0) {
        m.cpu = std::min(1.0, b.busy_ms * 1e6 / (workers * interval_ns));
        m.processors = workers;
      }
      m.load_average = b.in_flight_integral / interval_ns;
      m.active_connections = b.in_flight;
      policy_->ObserveMetrics(b.core_index, m);
    }
    b.busy_ms = 0.0;
    b.in_flight_integral = 0.0;
  }
}

void Simulation::OnTick(int64_t now) {
  const double t = static_cast<double>(now) * 1e-9;
  ++ticks_;
  for (uint32_t s = 0; s < backends_.size(); ++s) {
    if (!backends_[s].joined && backends_[s].spec->join_at_s <= t) Join(s, now);
  }
  const HealthCheckSpec& hc = scenario_.health_check;
  const uint64_t probe_every =
      std::max<uint64_t>(1, std::llround(hc.interval_s / scenario_.tick_s));
  if (hc.enabled && ticks_ % probe_every == 0) {
    for (uint32_t s = 0; s < backends_.size(); ++s) {
      if (backends_[s].joined) Probe(s, now);
    }
  }
  const uint64_t report_every =
      std::max<uint64_t>(1, std::llround(scenario_.metrics.interval_s / scenario_.tick_s));
  if (ticks_ % report_every == 0) ReportMetrics(now);
  cluster_->Tick(At(now));
  const auto table = cluster_->table();
  if (table->version != table_version_) {
    table_version_ = table->version;
    policy_->Update(*table);
  }
  policy_->Tick(At(now));
  if (scenario_.workload.kind == WorkloadSpec::Kind::kClosed) {
    const uint32_t want = std::min<uint32_t>(DesiredClients(t), client_busy_.size());
    for (uint32_t c = 0; c < want; ++c) {
      if (!client_busy_[c]) {
        client_busy_[c] = 1;
        StartRequest((static_cast<uint64_t>(c) << 40) | ++client_seq_[c], c, now);
      }
    }
  }
  events_.Push(now + NsFromS(scenario_.tick_s), EventKind::kTick);
}

void Simulation::OnFault(uint32_t index, bool start, int64_t now) {
  const ExpandedFault& f = faults_[index];
  for (uint32_t s : f.spec->backends) {
    if (s >= backends_.size()) continue;
    BackendState& b = backends_[s];
    switch (f.kind) {
      case FaultSpec::Kind::kSlow:
        b.slow = start ? b.slow * f.spec->factor : b.slow / f.spec->factor;
        break;
      case FaultSpec::Kind::kErrors:
        b.error_rate = std::clamp(b.error_rate + (start ? f.spec->rate : -f.spec->rate), 0.0, 1.0);
        break;
      case FaultSpec::Kind::kRefuse:
      case FaultSpec::Kind::kFlap:
      case FaultSpec::Kind::kBlackhole: {
        const bool refuse = f.kind != FaultSpec::Kind::kBlackhole;
        if (refuse) {
          b.refuse += start ? 1 : -1;
        } else {
          b.blackhole += start ? 1 : -1;
        }
        // The process died or came back: its queue is gone either way.
        for (int64_t& t : b.free_at) t = now;
        if (!start) break;
        // In-flight requests are reset (crash) or never answered (black hole).
        const int64_t timeout_ns = NsFromMs(scenario_.workload.timeout_ms);
        for (uint32_t slot = 0; slot < requests_.size(); ++slot) {
          Request& r = requests_[slot];
          if (!r.live || r.serial == 0 || r.backend != s) continue;
          if (refuse) {
            Reschedule(r, slot, AttemptResult::kReset, now, now);
          } else if (r.result != AttemptResult::kTimeout) {
            Reschedule(r, slot, AttemptResult::kTimeout, r.dispatch_ns + timeout_ns, now);
          }
        }
        break;
      }
    }
  }
}

core::Result<TrialResult> Simulation::Run() {
  const Scenario& sc = scenario_;
  if (sc.backends.empty()) return core::Fail("scenario '" + sc.name + "' has no backends");
  if (!(sc.tick_s > 0.0)) return core::Fail("tick must be positive");
  cluster_ = std::make_unique<SimCluster>(sc.health_check, policy_spec_.outlier_detection, seed_);
  auto policy = CreatePolicy(policy_spec_, this);
  if (!policy) return std::unexpected(policy.error());
  policy_ = std::move(*policy);
  report_consumer_ = dynamic_cast<core::ServerReportConsumer*>(policy_.get());
  lower_bound_mode_ = policy_spec_.policy == "lower_bound";

  end_ns_ = NsFromS(sc.duration_s);
  measure_from_ns_ = NsFromS(sc.measure_from_s);
  bucket_ns_ = std::max<int64_t>(1, end_ns_ / std::max<uint32_t>(1, options_.series_buckets));

  backends_.resize(sc.backends.size());
  double total_weight = 0.0;
  for (uint32_t s = 0; s < sc.backends.size(); ++s) {
    BackendState& b = backends_[s];
    b.spec = &sc.backends[s];
    b.free_at.assign(b.spec->workers, 0);
    b.series_group = s;
    if (b.spec->join_at_s <= 0.0) total_weight += b.spec->weight;
  }
  for (uint32_t s = 0; s < sc.backends.size(); ++s) {
    if (sc.backends[s].join_at_s <= 0.0) Join(s, 0);
  }
  if (options_.record_series) {
    // Large clusters are shown as two groups: the backends of the first fault and the rest.
    const bool grouped = sc.backends.size() > kMaxSeriesBackends;
    if (grouped) {
      series_names_ = {"faulty", "others"};
      for (uint32_t s = 0; s < sc.backends.size(); ++s) backends_[s].series_group = 1;
      if (!sc.faults.empty()) {
        for (uint32_t s : sc.faults.front().backends) {
          if (s < backends_.size()) backends_[s].series_group = 0;
        }
      }
    } else {
      for (const SimBackendSpec& b : sc.backends) series_names_.push_back(b.name);
    }
    series_dispatch_.assign(series_names_.size(),
                            std::vector<uint32_t>(options_.series_buckets, 0));
  }

  // Faults: flapping expands into down intervals.
  for (const FaultSpec& f : sc.faults) {
    if (f.kind == FaultSpec::Kind::kFlap) {
      const double end = std::min(f.end_s, sc.duration_s);
      for (double t = f.start_s; t < end; t += 2 * f.period_s) {
        faults_.push_back({FaultSpec::Kind::kFlap, &f, t, std::min(t + f.period_s, end)});
      }
    } else {
      faults_.push_back({f.kind, &f, f.start_s, f.end_s});
    }
  }
  for (uint32_t i = 0; i < faults_.size(); ++i) {
    events_.Push(NsFromS(faults_[i].start_s), EventKind::kFault, i, 1);
    if (std::isfinite(faults_[i].end_s) && faults_[i].end_s < sc.duration_s) {
      events_.Push(NsFromS(faults_[i].end_s), EventKind::kFault, i, 0);
    }
  }
  for (const FaultSpec& f : sc.faults) {
    for (uint32_t s : f.backends) {
      if (s >= backends_.size()) {
        return core::Fail("fault on backend " + std::to_string(s) + ", but the scenario has only " +
                          std::to_string(backends_.size()));
      }
    }
  }
  if (!sc.faults.empty()) {
    const FaultSpec& first = sc.faults.front();
    has_fault_ = true;
    faulty_.assign(backends_.size(), 0);
    double faulty_weight = 0.0;
    for (uint32_t s : first.backends) {
      if (!faulty_[s]) faulty_weight += sc.backends[s].weight;
      faulty_[s] = 1;
    }
    fault_start_s_ = first.start_s;
    fault_end_s_ = first.end_s;
    const double fair = total_weight > 0 ? faulty_weight / total_weight : 1.0;
    // At least two rounds over the whole cluster, so that round robin over contiguous faulty
    // indices never shows a window without them.
    const size_t window = std::max<size_t>(
        static_cast<size_t>(std::ceil(kWindowExpectedFaulty / std::max(fair, 1e-6))),
        2 * backends_.size());
    window_.assign(window, 0);
    window_threshold_ = static_cast<uint32_t>(std::ceil(0.5 * fair * static_cast<double>(window)));
  }

  // Workload.
  if (sc.workload.kind == WorkloadSpec::Kind::kOpen) {
    max_rate_ = sc.workload.rate_per_s;
    for (const LoadStep& s : sc.workload.steps) max_rate_ = std::max(max_rate_, s.value);
    if (max_rate_ > 0.0) {
      next_arrival_ns_ = NsFromS(-std::log(1.0 - arrival_rng_.UnitDouble()) / max_rate_);
    }
  } else {
    uint32_t max_clients = sc.workload.clients;
    for (const LoadStep& s : sc.workload.steps) {
      max_clients = std::max<uint32_t>(max_clients, static_cast<uint32_t>(std::lround(s.value)));
    }
    client_busy_.assign(max_clients, 0);
    client_seq_.assign(max_clients, 0);
  }
  latencies_ms_.reserve(static_cast<size_t>(std::min(
      5e7, (sc.workload.kind == WorkloadSpec::Kind::kOpen ? max_rate_ * sc.duration_s : 1e5))));
  events_.Push(0, EventKind::kTick);
  events_.Push(end_ns_, EventKind::kStop);
  for (uint32_t s = 0; s < backends_.size(); ++s) {
    const double rate = backends_[s].spec->external_rate_per_s;
    if (rate > 0.0) {
      events_.Push(NsFromS(-std::log(1.0 - external_rng_.UnitDouble()) / rate),
                   EventKind::kExternal, s);
    }
  }

  for (;;) {
    // Open-loop arrivals bypass the heap: the next one is always known, so it is compared with
    // the heap's top instead of being pushed and popped (a third fewer heap operations).
    if (next_arrival_ns_ < events_.Top().time_ns) {
      const int64_t now = next_arrival_ns_;
      now_ns_ = now;
      ++events_processed_;
      const double t = static_cast<double>(now) * 1e-9;
      next_arrival_ns_ = now + NsFromS(-std::log(1.0 - arrival_rng_.UnitDouble()) / max_rate_);
      // Thinning (Lewis and Shedler) for a time-varying rate.
      if (arrival_rng_.UnitDouble() * max_rate_ < ArrivalRate(t)) StartRequest(arrivals_++, 0, now);
      continue;
    }
    const Event e = events_.Pop();
    ++events_processed_;
    const int64_t now = e.time_ns;
    now_ns_ = now;
    switch (e.kind) {
      case EventKind::kAttemptEnd: {
        const Request& r = requests_[e.a];
        if (r.live && r.serial == e.b) EndAttempt(e.a, now);
        break;
      }
      case EventKind::kClientNext:
        StartRequest((static_cast<uint64_t>(e.a) << 40) | client_seq_[e.a], e.a, now);
        break;
      case EventKind::kRetry:
        if (requests_[e.a].live) Dispatch(e.a, now);
        break;
      case EventKind::kTick:
        OnTick(now);
        break;
      case EventKind::kFault:
        OnFault(e.a, e.b == 1, now);
        break;
      case EventKind::kExternal:
        OnExternal(e.a, now);
        break;
      case EventKind::kExternalEnd:
        OnExternalEnd(e.a, now);
        break;
      case EventKind::kStop:
        return Collect();
    }
  }
}

TrialResult Simulation::Collect() {
  TrialResult out;
  out.policy = policy_spec_.label;
  out.seed = seed_;
  out.simulated_requests = simulated_requests_;
  out.attempts = attempts_;
  out.events = events_processed_;

  std::vector<float> sorted = latencies_ms_;
  std::sort(sorted.begin(), sorted.end());
  auto quantile = [&](const std::vector<float>& v, double q) -> double {
    if (v.empty()) return kNaN;
    const double h = q * static_cast<double>(v.size() - 1);
    const size_t lo = static_cast<size_t>(h);
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
  };
  double sum = 0.0;
  for (float x : sorted) sum += x;
  std::vector<double> dispatched;
  for (const BackendState& b : backends_) {
    out.backend_attempts.push_back(b.dispatched_measured);
    if (b.joined) dispatched.push_back(static_cast<double>(b.dispatched_measured));
  }
  const double n = static_cast<double>(requests_measured_);
  out.metrics = {
      {"p50_ms", quantile(sorted, 0.50)},
      {"p95_ms", quantile(sorted, 0.95)},
      {"p99_ms", quantile(sorted, 0.99)},
      {"p999_ms", quantile(sorted, 0.999)},
      {"mean_ms", sorted.empty() ? kNaN : sum / static_cast<double>(sorted.size())},
      {"error_pct", n > 0 ? 100.0 * static_cast<double>(requests_failed_) / n : kNaN},
      {"gini", core::Gini(dispatched)},
      {"detect_requests", detect_requests_},
      {"detect_s", detect_s_},
      {"recover_s",
       std::isfinite(fault_end_s_) && fault_end_s_ < scenario_.duration_s ? recover_s_ : kNaN},
      {"faulty_share_pct", has_fault_ && attempts_during_fault_ > 0
                               ? 100.0 * static_cast<double>(faulty_attempts_during_fault_) /
                                     static_cast<double>(attempts_during_fault_)
                               : kNaN},
      {"retries_pct", simulated_requests_ > 0 ? 100.0 * static_cast<double>(retries_) /
                                                    static_cast<double>(simulated_requests_)
                                              : kNaN},
  };
  if (lower_bound_mode_) {
    // Only the latency quantiles and the failures are the bound's; the rest describe the
    // clairvoyant dispatch it ran beside, which has its own row.
    for (Metric& m : out.metrics) {
      if (!m.name.ends_with("_ms") && m.name != "error_pct") m.value = kNaN;
    }
  }
  if (options_.record_series) {
    const uint32_t buckets = options_.series_buckets;
    out.bucket_s = static_cast<double>(bucket_ns_) * 1e-9;
    out.series_count.assign(buckets, 0);
    out.series_mean_ms.assign(buckets, kNaN);
    out.series_p99_ms.assign(buckets, kNaN);
    std::vector<std::vector<float>> per_bucket(buckets);
    for (size_t i = 0; i < latencies_ms_.size(); ++i) {
      per_bucket[std::min<uint32_t>(latency_bucket_[i], buckets - 1)].push_back(latencies_ms_[i]);
    }
    for (uint32_t k = 0; k < buckets; ++k) {
      std::vector<float>& v = per_bucket[k];
      out.series_count[k] = static_cast<uint32_t>(v.size());
      if (v.empty()) continue;
      std::sort(v.begin(), v.end());
      double total = 0.0;
      for (float x : v) total += x;
      out.series_mean_ms[k] = total / static_cast<double>(v.size());
      out.series_p99_ms[k] = quantile(v, 0.99);
    }
    out.series_backends = series_names_;
    out.series_dispatch = series_dispatch_;
  }
  return out;
}

}  // namespace huddle::sim
