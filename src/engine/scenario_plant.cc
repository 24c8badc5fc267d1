#include "engine/scenario_plant.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/control/demand_scenarios.h"
#include "core/control/queueing.h"

namespace huddle::engine {
namespace {

constexpr double kSigmaLn = 0.3;  // lognormal service time: cs^2 = e^{0.09} - 1 = 0.094

// Quantile of the lognormal service time with mean s: s exp(z sigma - sigma^2 / 2).
double ServiceQuantile(double s, double z) { return s * std::exp(z * kSigmaLn - 0.045); }

}  // namespace

ScenarioPlant::ScenarioPlant(std::vector<PlantServiceSpec> specs, const PlantOptions& options,
                             uint64_t seed)
    : options_(options), random_(seed) {
  for (PlantServiceSpec& spec : specs) {
    Service s;
    s.healthy = spec.initial_replicas;
    s.target = spec.initial_replicas;
    s.spec = std::move(spec);
    services_.push_back(std::move(s));
  }
  for (Service& s : services_) {
    for (const std::string& caller : s.spec.callers) s.callers.push_back(Index(caller));
  }
}

size_t ScenarioPlant::Index(const std::string& id) const {
  for (size_t i = 0; i < services_.size(); ++i) {
    if (services_[i].spec.id == id) return i;
  }
  return services_.size();
}

double ScenarioPlant::Normal() { return core::StandardNormal(random_); }

double ScenarioPlant::Poisson(double mean) {
  if (mean <= 0) return 0;
  // Normal approximation (means here are tens to thousands per second).
  return std::max(0.0, std::round(mean + std::sqrt(mean) * Normal()));
}

double ScenarioPlant::Delay() {
  return options_.delay_min_s +
         (options_.delay_max_s - options_.delay_min_s) * random_.UnitDouble();
}

void ScenarioPlant::Kill(const std::string& id, int count, bool failing, double recover_at) {
  Service& s = services_[Index(id)];
  count = std::min(count, s.healthy);
  s.healthy -= count;
  if (failing) {
    s.failing += count;
    s.recover_at = recover_at;
  }
}

void ScenarioPlant::KillFraction(const std::string& id, double fraction, bool failing,
                                 double recover_at) {
  const Service& s = services_[Index(id)];
  Kill(id, static_cast<int>(std::ceil(fraction * s.healthy - 1e-9)), failing, recover_at);
}

std::vector<TelemetryPoint> ScenarioPlant::Step(double t) {
  const double w = options_.workers_per_replica;
  // Replicas: arrivals, recoveries, ejections.
  for (Service& s : services_) {
    auto ready =
        std::partition(s.pending.begin(), s.pending.end(), [&](double at) { return at > t; });
    s.healthy += static_cast<int>(s.pending.end() - ready);
    s.pending.erase(ready, s.pending.end());
    if (t >= s.recover_at) {
      s.healthy += s.failing + s.ejected;
      s.failing = s.ejected = 0;
      s.recover_at = 1e300;
      if (options_.closed_loop) {
        // The orchestrator terminates replicas beyond the target (pending first).
        while (s.healthy + static_cast<int>(s.pending.size()) > s.target && !s.pending.empty()) {
          s.pending.pop_back();
        }
        s.healthy = std::max(1, std::min(s.healthy, s.target));
      }
    }
    if (s.failing > 0) {
      if (s.failing_since == 0) s.failing_since = t;
      if (t - s.failing_since >= options_.eject_after_s) {
        s.ejected += s.failing;
        s.failing = 0;
        s.failing_since = 0;
      }
    }
  }
  // Forward pass: callers first (spec order).
  struct Flow {
    double unique = 0, attempts = 0, forwarded = 0, budget_rejected = 0, shed = 0;
    double admitted = 0, own_errors = 0, ok = 0, served = 0, capacity = 0, mu = 0, p99 = 0;
    double first = 0, second = 0, third = 0, mean_s = 0, wait_s = 0;
  };
  std::vector<Flow> flows(services_.size());
  for (size_t i = 0; i < services_.size(); ++i) {
    Service& s = services_[i];
    Flow& f = flows[i];
    const PlantProfile& p = s.spec.profile;
    const double S = std::max(1e-4, p.service_time_s(t));
    f.mean_s = S;
    f.mu = w / S;
    if (s.spec.entry) {
      f.unique = Poisson(std::max(0.0, p.demand(t)));
      const double retries = s.f1 + s.f2;
      // Clients keep a per-client retry budget (SRE: 10 %); retries beyond it are never sent.
      const double allowed = s.budget * f.unique;
      const double scale = retries > 0 ? std::min(1.0, allowed / retries) : 1.0;
      f.first = f.unique;
      f.second = s.f1 * scale;
      f.third = s.f2 * scale;
      f.budget_rejected = retries * (1.0 - scale);
      f.forwarded = f.first + f.second + f.third;
      f.attempts = f.forwarded;
    } else {
      for (size_t c : s.callers) f.unique += flows[c].admitted - flows[c].own_errors;
      f.first = f.attempts = f.forwarded = f.unique;
    }
    const double admit = options_.closed_loop ? s.admit : 1.0;
    f.admitted = f.forwarded * admit;
    f.shed = f.forwarded - f.admitted;
    const double fail_fast =
        p.down(t)
            ? 1.0
            : (s.failing > 0 ? static_cast<double>(s.failing) / (s.failing + s.healthy) : 0.0);
    const double fast_errors = f.admitted * fail_fast;
    const double injected = (f.admitted - fast_errors) * std::clamp(p.error_rate(t), 0.0, 1.0);
    f.own_errors = fast_errors + injected;
    f.ok = f.admitted - f.own_errors;
    f.capacity = s.healthy * f.mu;
    const double work = s.backlog + f.ok;
    f.served = std::min(work, f.capacity);
    s.backlog = work - f.served;
    if (options_.closed_loop && s.limit > 0) {
      const double room = std::max(0.0, s.limit - s.healthy * w);
      if (s.backlog > room) {
        f.shed += s.backlog - room;
        f.ok -= s.backlog - room;
        f.admitted -= s.backlog - room;
        s.backlog = room;
      }
    }
    // Sojourn p99 of admitted requests: service-time p99, the M/M/c wait quantile scaled by
    // Allen-Cunneen for lognormal service, and the FIFO backlog ahead.
    if (f.capacity > 0) {
      const int c = std::max(1, static_cast<int>(s.healthy * w));
      const double a = std::min(f.ok, 0.99 * f.capacity);
      const double burst = core::BurstAmplification(1.0, options_.service_cv2);
      // With a backlog every server is busy and the wait is the FIFO backlog ahead; without
      // one, the M/M/c quantile.
      double wait = s.backlog > 0 ? s.backlog / f.capacity
                                  : core::MmcWaitQuantile(c, a, 1.0 / S, 0.99) * burst;
      if (!std::isfinite(wait)) wait = 10.0;
      f.wait_s = s.backlog > 0 ? s.backlog / f.capacity : core::MmcMeanWait(c, a, 1.0 / S) * burst;
      if (!std::isfinite(f.wait_s)) f.wait_s = 10.0;
      f.p99 = ServiceQuantile(S, 2.326) + wait;
    } else {
      f.p99 = 10.0;
    }
  }
  // Backward pass: a caller fails what its callees fail, and waits for them.
  std::vector<double> total_errors(services_.size());
  std::vector<double> p99_total(services_.size());
  for (size_t k = services_.size(); k-- > 0;) {
    Service& s = services_[k];
    Flow& f = flows[k];
    double down_fail = 0.0;
    double down_p99 = 0.0;
    for (size_t j = 0; j < services_.size(); ++j) {
      const auto& callers = services_[j].callers;
      if (std::find(callers.begin(), callers.end(), k) == callers.end()) continue;
      down_fail = std::max(down_fail, services_[j].fail_share);
      down_p99 = std::max(down_p99, p99_total[j]);
    }
    total_errors[k] = f.own_errors + f.ok * down_fail;
    p99_total[k] = f.p99 + down_p99;
    s.fail_share = f.forwarded > 0 ? (f.shed + total_errors[k]) / f.forwarded : 0.0;
  }
  std::vector<TelemetryPoint> points;
  for (size_t i = 0; i < services_.size(); ++i) {
    Service& s = services_[i];
    Flow& f = flows[i];
    double final_failures = f.budget_rejected;
    if (s.spec.entry) {
      const double p_fail = f.forwarded > 0 ? (f.shed + total_errors[i]) / f.forwarded : 0.0;
      s.f1 = options_.client_attempts >= 2 ? f.first * p_fail : 0.0;
      s.f2 = options_.client_attempts >= 3 ? f.second * p_fail : 0.0;
      final_failures += (options_.client_attempts >= 3 ? f.third : f.second + f.third) * p_fail;
      if (options_.client_attempts < 2) final_failures += f.first * p_fail;
    }
    PlantSecond h;
    h.t = t;
    h.unique = f.unique;
    h.attempts = f.attempts;
    h.forwarded = f.forwarded;
    h.shed = f.shed;
    h.admitted = f.admitted;
    h.errors = total_errors[i];
    h.final_failures = final_failures;
    h.served = f.served;
    h.backlog = s.backlog;
    h.capacity = f.capacity;
    h.rho = f.capacity > 0 ? f.served / f.capacity : (f.ok > 0 ? 10.0 : 0.0);
    if (s.backlog > 0 && f.capacity > 0) h.rho = std::max(h.rho, (f.ok + s.backlog) / f.capacity);
    h.offered_rho = f.capacity > 0 ? f.unique / f.capacity : 10.0;
    h.p99_s = p99_total[i];
    h.mu_per_replica = f.mu;
    h.healthy = s.healthy;
    h.provisioned = s.healthy + s.failing + s.ejected + static_cast<int>(s.pending.size());
    h.target = s.target;
    h.admit_probability = options_.closed_loop ? s.admit : 1.0;
    h.throttle_reject = s.throttle;

    TelemetryPoint p;
    p.service_id = s.spec.id;
    p.timestamp_s = 1.7e9 + t;
    p.request_rate = f.attempts;
    p.shed_rate = std::min(f.attempts, h.shed);
    p.error_rate = f.admitted > 0 ? std::clamp(total_errors[i] / f.admitted, 0.0, 1.0) : 0.0;
    const double S = f.mean_s;
    p.latency_p50 = 1000.0 * (ServiceQuantile(S, 0.0) + 0.5 * f.wait_s);
    p.latency_p95 = 1000.0 * std::min(ServiceQuantile(S, 1.645) + 2 * f.wait_s, p99_total[i]);
    p.latency_p99 = 1000.0 * std::max(p99_total[i], ServiceQuantile(S, 1.645));
    p.latency_p95 = std::max(p.latency_p95, p.latency_p50);
    p.latency_p99 = std::max(p.latency_p99, p.latency_p95);
    p.latency_mean = 1000.0 * (S + f.wait_s);
    p.cpu_usage =
        f.capacity > 0 ? std::clamp(f.served / f.capacity * (1 + 0.01 * Normal()), 0.0, 1.0) : 0.0;
    p.active_conns = f.served * S + s.backlog;
    p.queue_depth = s.backlog;
    p.replicas = s.healthy + s.failing;
    for (size_t j = 0; j < services_.size(); ++j) {
      const auto& callers = services_[j].callers;
      if (std::find(callers.begin(), callers.end(), i) == callers.end()) continue;
      p.upstream_calls.push_back(
          {services_[j].spec.id, f.admitted - f.own_errors, 0.0, 1000.0 * services_[j].p99});
    }
    s.p99 = p99_total[i];
    const double u = random_.UnitDouble();
    if (u < options_.dropout) {
      h.telemetry_sent = false;
    } else {
      if (u < options_.dropout + options_.corrupt) {
        p.request_rate = (random_.Below(2) == 0) ? std::numeric_limits<double>::quiet_NaN() : -1.0;
      }
      h.telemetry_sent = true;
      h.measured_cpu = p.cpu_usage;
      points.push_back(std::move(p));
    }
    s.history.push_back(h);
  }
  return points;
}

void ScenarioPlant::Apply(const Engine& engine, const TickReport& report, double t) {
  if (!options_.closed_loop) return;
  for (size_t i = 0; i < services_.size(); ++i) {
    const std::string& id = services_[i].spec.id;
    const ServiceView* v = engine.Find(id);
    if (v == nullptr) continue;
    PlantDecision d;
    d.target = v->target_replicas;
    for (const Directive& r : report.directives) {
      if (r.service == id && r.act && r.from == r.to) d.replace = true;
    }
    const ShedDecision shed = engine.Shedding(id);
    d.admit_probability = shed.admit_probability;
    d.concurrency_limit = shed.concurrency_limit;
    d.retry_budget_ratio = shed.retry_budget_ratio;
    d.throttle_reject = v->throttle_reject_probability;
    ApplyDecision(i, d, t);
  }
}

void ScenarioPlant::ApplyDecision(size_t service, const PlantDecision& d, double t) {
  if (!options_.closed_loop) return;
  Service& s = services_[service];
  const int previous = s.target;
  s.target = std::max(1, d.target);
  const int pending = static_cast<int>(s.pending.size());
  const int committed = s.healthy + s.failing + s.ejected + pending;
  int need = s.target - committed;
  if (d.replace) need = std::max(need, s.target - (s.healthy + pending));
  for (int k = 0; k < need; ++k) s.pending.push_back(t + Delay());
  if (s.target < previous && s.target < committed) {
    int extra = committed - s.target;
    while (extra > 0 && !s.pending.empty()) {
      s.pending.pop_back();
      --extra;
    }
    const int removable = std::min(extra, s.healthy - 1);
    s.healthy -= std::max(0, removable);
  }
  s.admit = d.admit_probability;
  s.limit = d.concurrency_limit;
  s.budget = d.retry_budget_ratio;
  s.throttle = d.throttle_reject;
}

}  // namespace huddle::engine
