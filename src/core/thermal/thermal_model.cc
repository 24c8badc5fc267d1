#include "core/thermal/thermal_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <tuple>

#include "core/stats/gini.h"
#include "core/thermal/median.h"

namespace huddle::core {
namespace {

bool Finite(double v) { return std::isfinite(v); }

}  // namespace

ThermalModel::ThermalModel(const ThermalOptions& options) : options_(options) {
  if (options_.adaptive_thresholds) {
    adaptive_.emplace(options_.heat, options_.cool, static_cast<size_t>(options_.adaptive_window),
                      options_.adaptive_interval);
  }
}

ThermalModel::Server* ThermalModel::Find(BackendIndex b) {
  if (b >= servers_.size() || !servers_[b]) return nullptr;
  return &*servers_[b];
}

const ThermalModel::Server* ThermalModel::Find(BackendIndex b) const {
  if (b >= servers_.size() || !servers_[b]) return nullptr;
  return &*servers_[b];
}

double ThermalModel::heat() const { return adaptive_ ? adaptive_->heat() : options_.heat; }
double ThermalModel::cool() const { return adaptive_ ? adaptive_->cool() : options_.cool; }

// ---------------------------------------------------------------------------------------------
// Membership

void ThermalModel::AddServer(BackendIndex b, double weight, TimePoint now, Admission admission) {
  if (b == kNoBackend || Has(b)) return;
  if (b >= servers_.size()) servers_.resize(static_cast<size_t>(b) + 1);
  Server& s = servers_[b].emplace(b, options_);
  s.weight = weight > 0 ? weight : 1.0;
  s.added_at = now;
  s.cold_start = admission == Admission::kColdStart && options_.cold_start > Duration::zero();
  members_.push_back(b);
  inner_.reserve(members_.size());
  candidates_.reserve(members_.size());
  if (scratch_.size() < members_.size()) scratch_.resize(members_.size());

  const bool room =
      options_.max_inner == 0 || inner_.size() < static_cast<size_t>(options_.max_inner);
  if (!s.cold_start && room) {
    // Joining is not a rotation: no cooldown starts and the counter stays at 0.
    s.inner = true;
    s.inner_since = now;
    inner_.push_back(b);
    Emit(s, now, Ring::kNone, Ring::kInner, RotationReason::kAdded);
  } else {
    Emit(s, now, Ring::kNone, Ring::kOuter, RotationReason::kAdded);
    // Cold start yields to availability: a ring below min_inner takes the newcomer at once.
    RestoreMinInner(now);
  }
}

void ThermalModel::RemoveServer(BackendIndex b, TimePoint now) {
  Server* s = Find(b);
  if (s == nullptr) return;
  const Ring from = s->inner ? Ring::kInner : Ring::kOuter;
  if (s->inner) inner_.erase(std::find(inner_.begin(), inner_.end(), b));
  members_.erase(std::find(members_.begin(), members_.end(), b));
  Emit(*s, now, from, Ring::kNone, RotationReason::kRemoved);
  servers_[b].reset();
  RestoreMinInner(now);
}

void ThermalModel::SetWeight(BackendIndex b, double weight) {
  if (Server* s = Find(b); s != nullptr && weight > 0) s->weight = weight;
}

void ThermalModel::StartClock(TimePoint now) {
  for (BackendIndex b : members_) {
    Server& s = *servers_[b];
    if (s.added_at < now) s.added_at = now;
    if (s.inner && s.inner_since < now) s.inner_since = now;
  }
}

void ThermalModel::SetHealthy(BackendIndex b, bool healthy, TimePoint now) {
  Server* s = Find(b);
  if (s == nullptr || s->healthy == healthy) return;
  s->healthy = healthy;
  if (!healthy && s->inner) Evict(*s, now, RotationReason::kUnhealthy);
  RestoreMinInner(now);
}

// ---------------------------------------------------------------------------------------------
// Evidence

double ThermalModel::StaleHalfLifeSeconds(const Server& s) const {
  const int doublings = std::max(0, s.strikes - 1);
  const double factor = std::min(std::ldexp(1.0, std::min(doublings, 30)),
                                 static_cast<double>(options_.stale_backoff_max));
  return ToSeconds(options_.stale_evidence_half_life) * factor;
}

double ThermalModel::AgedErrorRate(const Server& s, TimePoint now) const {
  if (s.error_rate <= 0.0) return 0.0;
  const double age = std::max(0.0, ToSeconds(now - s.error_at));
  return s.error_rate * std::exp2(-age / StaleHalfLifeSeconds(s));
}

double ThermalModel::FailureSampleMs(double baseline_ms, Duration observed) const {
  return std::max(ToMillis(observed), options_.failure_latency_factor * baseline_ms);
}

void ThermalModel::RecordLatency(BackendIndex b, Duration latency, TimePoint now) {
  Server* s = Find(b);
  if (s == nullptr) return;
  s->requests.Add(ToMillis(latency));
  s->new_request = true;
  ++s->requests_since_promotion;
  s->error_rate = (1.0 - options_.error_alpha) * AgedErrorRate(*s, now);
  s->error_at = now;
}

void ThermalModel::RecordError(BackendIndex b, TimePoint now, Duration latency) {
  Server* s = Find(b);
  if (s == nullptr) return;
  s->requests.Add(FailureSampleMs(request_baseline_ms_, latency));
  s->new_request = true;
  ++s->requests_since_promotion;
  s->error_rate = options_.error_alpha + (1.0 - options_.error_alpha) * AgedErrorRate(*s, now);
  s->error_at = now;
}

void ThermalModel::RecordMetrics(BackendIndex b, const BackendMetrics& m) {
  Server* s = Find(b);
  if (s == nullptr) return;
  // Fields that were not measured (NaN) keep their last value.
  if (Finite(m.cpu)) s->cpu = std::clamp(m.cpu, 0.0, 1.0);
  if (Finite(m.memory_used_bytes) && Finite(m.memory_max_bytes) && m.memory_max_bytes > 0) {
    s->memory = std::clamp(m.memory_used_bytes / m.memory_max_bytes, 0.0, 1.0);
  }
  if (Finite(m.active_connections)) s->connections = std::max(0.0, m.active_connections);
}

void ThermalModel::RecordProbe(BackendIndex b, Duration latency, bool ok, TimePoint now) {
  Server* s = Find(b);
  if (s == nullptr) return;
  const double baseline = probe_baseline_ms_ > 0 ? probe_baseline_ms_ : request_baseline_ms_;
  s->probes.Add(ok ? ToMillis(latency) : FailureSampleMs(baseline, latency));
  s->new_probe = true;
  const double failed = ok ? 0.0 : 1.0;
  s->error_rate =
      options_.error_alpha * failed + (1.0 - options_.error_alpha) * AgedErrorRate(*s, now);
  s->error_at = now;
}

// ---------------------------------------------------------------------------------------------
// Temperature

double ThermalModel::Score(double avg_ms, double baseline_ms) const {
  if (baseline_ms <= 0.0) return 0.0;
  return std::clamp((avg_ms / baseline_ms - 1.0) / 2.0, 0.0, 1.0);
}

void ThermalModel::UpdateTemperatures(TimePoint now) {
  // Baselines: medians over the inner ring of the mean request and probe latencies.
  size_t k = 0;
  for (BackendIndex b : inner_) {
    const Server& s = *servers_[b];
    if (!s.requests.empty()) scratch_[k++] = s.requests.Mean();
  }
  request_baseline_ms_ = MedianInPlace(std::span<double>(scratch_.data(), k));
  k = 0;
  for (BackendIndex b : inner_) {
    const Server& s = *servers_[b];
    if (!s.probes.empty()) scratch_[k++] = s.probes.Mean();
  }
  probe_baseline_ms_ = MedianInPlace(std::span<double>(scratch_.data(), k));
  double p95_sum = 0.0;
  k = 0;
  for (BackendIndex b : inner_) {
    const Server& s = *servers_[b];
    if (s.requests.empty()) continue;
    p95_sum += s.requests.Quantile(0.95);
    ++k;
  }
  cluster_p95_ms_ = k > 0 ? p95_sum / static_cast<double>(k) : 0.0;

  const double floor_ms = options_.absolute_latency_floor_ms;
  for (BackendIndex b : members_) {
    Server& s = *servers_[b];
    // Fresh evidence, best first: the server's own traffic (inner ring), else health checks
    // against the inner ring's probe median (or its request median when nobody else is probed).
    bool fresh = false;
    double avg = 0.0;
    double baseline = 0.0;
    if (s.inner && s.new_request && !s.requests.empty()) {
      avg = s.requests.Mean();
      baseline = request_baseline_ms_;
      fresh = true;
    } else if (s.new_probe && !s.probes.empty()) {
      avg = s.probes.Mean();
      baseline = probe_baseline_ms_ > 0 ? probe_baseline_ms_ : request_baseline_ms_;
      fresh = true;
    }
    s.new_request = false;
    s.new_probe = false;
    s.floor_breach = fresh && floor_ms > 0 && avg > floor_ms;
    if (fresh) {
      s.latency_score = s.floor_breach ? 1.0 : Score(avg, baseline);
      s.latency_score_at = now;
      s.evidence_avg_ms = avg;
    }
    // Without news the evidence ages toward "nothing known against it"; what is still measured
    // (cpu, memory, connections) keeps its full weight.
    const double age = std::max(0.0, ToSeconds(now - s.latency_score_at));
    s.effective_score = s.latency_score * std::exp2(-age / StaleHalfLifeSeconds(s));
    const double raw = std::clamp(
        options_.weight_anomaly * s.effective_score + options_.weight_cpu * s.cpu +
            options_.weight_connections *
                std::min(s.connections / options_.connections_scale, 1.0) +
            options_.weight_memory * s.memory + options_.weight_errors * AgedErrorRate(s, now),
        0.0, 1.0);
    s.temperature = options_.alpha * raw + (1.0 - options_.alpha) * s.temperature;
    // A server that has served a full window since its return and is cool has proved itself.
    if (s.inner && s.requests_since_promotion >= static_cast<uint64_t>(options_.latency_window) &&
        s.temperature <= cool()) {
      s.strikes = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rotation

double ThermalModel::HeatFor(const Server& s) const { return std::min(1.0, heat() * s.weight); }

bool ThermalModel::BreakerTripped(const Server& s, TimePoint now) const {
  return options_.error_breaker < 1.0 && AgedErrorRate(s, now) >= options_.error_breaker;
}

bool ThermalModel::InColdStart(const Server& s, TimePoint now) const {
  return s.cold_start && now - s.added_at < options_.cold_start;
}

RotationCounts ThermalModel::Rotate(TimePoint now) {
  RotationCounts counts;
  UpdateTemperatures(now);
  if (adaptive_) {
    if (cluster_p95_ms_ > 0) adaptive_->AddSample(cluster_p95_ms_);
    adaptive_->Update(now);
  }
  counts.evicted_unhealthy = EvictForErrors(now);
  counts.evicted_hot = EvictHot(now);
  counts.promoted = PromoteCooled(now);
  counts.emergency = RestoreMinInner(now);
  return counts;
}

int ThermalModel::EvictForErrors(TimePoint now) {
  candidates_.clear();
  for (BackendIndex b : inner_) {
    if (BreakerTripped(*servers_[b], now)) candidates_.push_back(b);
  }
  if (candidates_.empty()) return 0;
  // Tripped servers leave at once, but not so many that the emergency step would have to bring
  // tripped servers straight back: that would only churn.
  size_t replacements = 0;
  for (BackendIndex b : members_) {
    const Server& s = *servers_[b];
    if (!s.inner && s.healthy && !BreakerTripped(s, now) && !InColdStart(s, now)) ++replacements;
  }
  const size_t spare = inner_.size() > static_cast<size_t>(options_.min_inner)
                           ? inner_.size() - static_cast<size_t>(options_.min_inner)
                           : 0;
  const size_t allowed = std::min(candidates_.size(), spare + replacements);
  // std::sort, not stable_sort (which allocates); ties go to the lower backend index.
  std::sort(candidates_.begin(), candidates_.end(), [&](BackendIndex a, BackendIndex b) {
    const double x = AgedErrorRate(*servers_[a], now);
    const double y = AgedErrorRate(*servers_[b], now);
    return x != y ? x > y : a < b;
  });
  for (size_t i = 0; i < allowed; ++i) {
    Evict(*servers_[candidates_[i]], now, RotationReason::kErrorRate);
  }
  return static_cast<int>(allowed);
}

int ThermalModel::EvictHot(TimePoint now) {
  const size_t n = inner_.size();
  const size_t min_inner = static_cast<size_t>(options_.min_inner);
  const size_t cap = std::min(std::max<size_t>(1, n / 3), n > min_inner ? n - min_inner : 0);
  if (cap == 0) return 0;
  candidates_.clear();
  for (BackendIndex b : inner_) {
    const Server& s = *servers_[b];
    const bool hot = s.floor_breach || s.temperature >= HeatFor(s);
    const bool cooled_down = !s.rotated_once || now - s.last_rotated >= options_.rotation_cooldown;
    if (hot && cooled_down) candidates_.push_back(b);
  }
  // Floor breaches first (they may be cool by the relative measure), then the hottest.
  std::sort(candidates_.begin(), candidates_.end(), [&](BackendIndex a, BackendIndex b) {
    const Server& x = *servers_[a];
    const Server& y = *servers_[b];
    if (x.floor_breach != y.floor_breach) return x.floor_breach;
    return x.temperature != y.temperature ? x.temperature > y.temperature : a < b;
  });
  const size_t count = std::min(cap, candidates_.size());
  for (size_t i = 0; i < count; ++i) {
    Server& s = *servers_[candidates_[i]];
    Evict(s, now, s.floor_breach ? RotationReason::kLatencyFloor : RotationReason::kHot);
  }
  return static_cast<int>(count);
}

int ThermalModel::PromoteCooled(TimePoint now) {
  size_t room = members_.size();
  if (options_.max_inner > 0) {
    const size_t max_inner = static_cast<size_t>(options_.max_inner);
    room = inner_.size() < max_inner ? max_inner - inner_.size() : 0;
  }
  if (room == 0) return 0;
  candidates_.clear();
  const double cool_threshold = cool();
  for (BackendIndex b : members_) {
    const Server& s = *servers_[b];
    if (s.inner || !s.healthy || InColdStart(s, now) || BreakerTripped(s, now)) continue;
    if (s.evicted_once && (now - s.evicted_at < options_.outer_dwell || s.evicted_at == now)) {
      continue;
    }
    // Also below its own heat threshold (weights < 1 can put heat * weight under cool), so it is
    // not evicted again at the next rotation.
    if (s.temperature <= cool_threshold && s.temperature < HeatFor(s)) candidates_.push_back(b);
  }
  std::sort(candidates_.begin(), candidates_.end(), [&](BackendIndex a, BackendIndex b) {
    const double x = servers_[a]->temperature;
    const double y = servers_[b]->temperature;
    return x != y ? x < y : a < b;
  });
  const size_t count = std::min(room, candidates_.size());
  for (size_t i = 0; i < count; ++i) {
    Promote(*servers_[candidates_[i]], now, RotationReason::kCooled);
  }
  return static_cast<int>(count);
}

int ThermalModel::RestoreMinInner(TimePoint now) {
  int promoted = 0;
  while (inner_.size() < static_cast<size_t>(options_.min_inner)) {
    // The coolest healthy outer server, preferring those past their cold start and under the
    // error breaker; dwell, cooldown and cool are ignored: serving beats resting.
    Server* best = nullptr;
    auto key = [&](const Server& s) {
      return std::tuple(InColdStart(s, now), BreakerTripped(s, now), s.temperature);
    };
    for (BackendIndex b : members_) {
      Server& s = *servers_[b];
      if (s.inner || !s.healthy) continue;
      if (best == nullptr || key(s) < key(*best)) best = &s;
    }
    if (best == nullptr) break;
    Promote(*best, now, RotationReason::kEmergency);
    ++promoted;
  }
  return promoted;
}

void ThermalModel::Evict(Server& s, TimePoint now, RotationReason reason) {
  inner_.erase(std::find(inner_.begin(), inner_.end(), s.backend));
  s.inner = false;
  s.inner_seconds += std::max(0.0, ToSeconds(now - s.inner_since));
  s.evicted_once = true;
  s.evicted_at = now;
  s.rotated_once = true;
  s.last_rotated = now;
  ++s.rotations;
  if (reason == RotationReason::kHot || reason == RotationReason::kLatencyFloor ||
      reason == RotationReason::kErrorRate) {
    ++s.strikes;
  }
  Emit(s, now, Ring::kInner, Ring::kOuter, reason);
}

void ThermalModel::Promote(Server& s, TimePoint now, RotationReason reason) {
  inner_.push_back(s.backend);
  s.inner = true;
  s.inner_since = now;
  s.rotated_once = true;
  s.last_rotated = now;
  ++s.rotations;
  // Request samples from the last stint describe the server as it was when it left.
  s.requests.Clear();
  s.requests_since_promotion = 0;
  Emit(s, now, Ring::kOuter, Ring::kInner, reason);
}

void ThermalModel::Emit(const Server& s, TimePoint now, Ring from, Ring to, RotationReason reason) {
  if (!listener_) return;
  char text[160];
  switch (reason) {
    case RotationReason::kHot:
      std::snprintf(text, sizeof text, "temperature %.2f >= heat %.2f x weight %.2f", s.temperature,
                    heat(), s.weight);
      break;
    case RotationReason::kLatencyFloor:
      std::snprintf(text, sizeof text, "mean latency %.1f ms above the floor of %.1f ms",
                    s.evidence_avg_ms, options_.absolute_latency_floor_ms);
      break;
    case RotationReason::kUnhealthy:
      std::snprintf(text, sizeof text, "%s", "marked unhealthy");
      break;
    case RotationReason::kErrorRate:
      std::snprintf(text, sizeof text, "error rate %.2f >= breaker %.2f", AgedErrorRate(s, now),
                    options_.error_breaker);
      break;
    case RotationReason::kCooled:
      std::snprintf(text, sizeof text, "temperature %.2f <= cool %.2f after %.1f s out",
                    s.temperature, cool(), ToSeconds(now - s.evicted_at));
      break;
    case RotationReason::kEmergency:
      std::snprintf(text, sizeof text, "inner ring below min_inner %lld (temperature %.2f)",
                    static_cast<long long>(options_.min_inner), s.temperature);
      break;
    case RotationReason::kAdded:
      std::snprintf(text, sizeof text, "%s",
                    to == Ring::kInner ? "joined the inner ring" : "joined the outer ring");
      break;
    case RotationReason::kRemoved:
      std::snprintf(text, sizeof text, "%s", "left the cluster");
      break;
  }
  listener_(RotationEvent{now, s.backend, from, to, reason, text, s.temperature});
}

// ---------------------------------------------------------------------------------------------
// Accessors

bool ThermalModel::IsInner(BackendIndex b) const {
  const Server* s = Find(b);
  return s != nullptr && s->inner;
}

bool ThermalModel::IsHealthy(BackendIndex b) const {
  const Server* s = Find(b);
  return s != nullptr && s->healthy;
}

double ThermalModel::Temperature(BackendIndex b) const {
  const Server* s = Find(b);
  return s != nullptr ? s->temperature : 0.0;
}

double ThermalModel::Anomaly(BackendIndex b) const {
  const Server* s = Find(b);
  return s != nullptr ? s->effective_score : 0.0;
}

double ThermalModel::AvgLatencyMs(BackendIndex b) const {
  const Server* s = Find(b);
  return s != nullptr ? s->requests.Mean() : 0.0;
}

double ThermalModel::P95LatencyMs(BackendIndex b) const {
  const Server* s = Find(b);
  return s != nullptr ? s->requests.Quantile(0.95) : 0.0;
}

double ThermalModel::ErrorRate(BackendIndex b) const {
  const Server* s = Find(b);
  return s != nullptr ? s->error_rate : 0.0;
}

uint64_t ThermalModel::Rotations(BackendIndex b) const {
  const Server* s = Find(b);
  return s != nullptr ? s->rotations : 0;
}

double ThermalModel::FairnessGini(TimePoint now) const {
  std::vector<double> shares;
  shares.reserve(members_.size());
  for (BackendIndex b : members_) {
    const Server& s = *servers_[b];
    const double life = ToSeconds(now - s.added_at);
    if (life <= 0.0) continue;
    double inner = s.inner_seconds;
    if (s.inner) inner += std::max(0.0, ToSeconds(now - s.inner_since));
    shares.push_back(std::min(1.0, inner / life));
  }
  return Gini(shares);
}

}  // namespace huddle::core
