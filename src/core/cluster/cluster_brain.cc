#include "core/cluster/cluster_brain.h"

#include <cmath>
#include <cstdio>

#include "core/health/panic.h"

namespace huddle::core {
namespace {

std::string WeightError(double weight) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", weight);
  return std::string("weight must be a number in [1e-06, 1e+06], got ") + text;
}

}  // namespace

bool ValidBackendWeight(double weight) {
  return std::isfinite(weight) && weight >= kMinBackendWeight && weight <= kMaxBackendWeight;
}

ClusterBrain::ClusterBrain(ClusterBrainOptions options)
    : options_(std::move(options)),
      rng_(options_.seed),
      outliers_(options_.outlier),
      table_(std::make_shared<RoutingTable>()) {
  outliers_.SetListener([this](const OutlierEvent& e) {
    dirty_ = true;
    Emit(e.at, e.backend, e.ejected ? "eject" : "uneject", e.detail);
  });
}

Result<BackendIndex> ClusterBrain::AddBackend(const BackendSpec& spec, TimePoint now) {
  if (!ValidBackendWeight(spec.weight)) {
    return Fail("backend '" + spec.name + "': " + WeightError(spec.weight));
  }
  if (spec.name.empty()) return Fail("backend name must not be empty");
  if (Find(spec.name)) return Fail("backend '" + spec.name + "' already exists");
  const auto b = static_cast<BackendIndex>(members_.size());
  members_.push_back(
      Member{.spec = spec,
             .present = true,
             .health = HealthCheckState(options_.health_check.rise, options_.health_check.fall),
             .ready_since = now});
  outliers_.AddHost(b);
  dirty_ = true;
  Rebuild(now);
  return b;
}

Result<void> ClusterBrain::RemoveBackend(BackendIndex b) {
  if (!Valid(b)) return Fail("no backend with index " + std::to_string(b));
  members_[b].present = false;
  outliers_.RemoveHost(b);
  dirty_ = true;
  return {};
}

std::optional<BackendIndex> ClusterBrain::Find(std::string_view name) const {
  for (BackendIndex b = 0; b < members_.size(); ++b) {
    if (members_[b].present && members_[b].spec.name == name) return b;
  }
  return std::nullopt;
}

Result<void> ClusterBrain::SetDraining(BackendIndex b, bool draining) {
  if (!Valid(b)) return Fail("no backend with index " + std::to_string(b));
  if (members_[b].draining != draining) {
    members_[b].draining = draining;
    dirty_ = true;
  }
  return {};
}

Result<void> ClusterBrain::SetWeight(BackendIndex b, double weight) {
  if (!Valid(b)) return Fail("no backend with index " + std::to_string(b));
  if (!ValidBackendWeight(weight)) return Fail(WeightError(weight));
  members_[b].spec.weight = weight;
  dirty_ = true;
  return {};
}

void ClusterBrain::Observe(BackendIndex b, const Outcome& outcome, TimePoint now) {
  if (!Valid(b)) return;
  Member& m = members_[b];
  ++m.requests;
  if (!outcome.ok) ++m.failures;
  if (options_.outlier_detection) outliers_.Observe(b, outcome, now, rng_);
}

void ClusterBrain::ObserveProbe(BackendIndex b, const Outcome& outcome, TimePoint now) {
  if (!Valid(b)) return;
  Member& m = members_[b];
  const bool was_healthy = m.health.healthy();
  if (m.health.Observe(outcome.ok)) {
    dirty_ = true;
    if (m.health.healthy()) {
      m.ready_since = now;  // a backend coming back ramps up again
      Emit(now, b, "healthy",
           m.spec.name + " passed " + std::to_string(options_.health_check.rise) +
               " health checks in a row");
    } else {
      Emit(now, b, "unhealthy",
           m.spec.name + " failed " + std::to_string(options_.health_check.fall) +
               " health checks in a row");
    }
  }
  if (outcome.ok && was_healthy && options_.outlier_detection) {
    outliers_.ObserveActiveCheckSuccess(b, now);
  }
}

void ClusterBrain::Tick(TimePoint now) {
  if (options_.outlier_detection) outliers_.Tick(now, rng_);
  // A table with ramping weights is rebuilt every tick until the last ramp has ended.
  if (dirty_ || ramping_) Rebuild(now);
}

bool ClusterBrain::Usable(BackendIndex b) const {
  const Member& m = members_[b];
  return m.present && !m.draining && m.health.healthy() &&
         !(options_.outlier_detection && outliers_.IsEjected(b));
}

void ClusterBrain::Rebuild(TimePoint now) {
  auto next = std::make_shared<RoutingTable>();
  next->version = table_->version + 1;
  next->backend_slots = static_cast<uint32_t>(members_.size());
  size_t candidates = 0;  // present and not draining: the hosts panic mode may fall back to
  ramping_ = false;
  for (BackendIndex b = 0; b < members_.size(); ++b) {
    const Member& m = members_[b];
    if (!m.present || m.draining) continue;
    ++candidates;
    if (!Usable(b)) continue;
    double factor = 1.0;
    if (options_.slow_start.window > Duration::zero()) {
      factor = SlowStartFactor(options_.slow_start, now - m.ready_since);
      ramping_ = ramping_ || factor < 1.0;
    }
    next->entries.push_back(RoutingEntry{b, m.spec.weight * factor});
  }
  if (candidates > 0 &&
      core::InPanic(next->entries.size(), candidates, options_.panic_threshold_percent)) {
    next->panic = true;
    next->entries.clear();
    for (BackendIndex b = 0; b < members_.size(); ++b) {
      const Member& m = members_[b];
      if (m.present && !m.draining) next->entries.push_back(RoutingEntry{b, m.spec.weight});
    }
  }
  if (next->panic != panic_reported_) {
    panic_reported_ = next->panic;
    Emit(now, kNoBackend, next->panic ? "panic" : "panic_over",
         next->panic ? "too few usable backends: balancing over all of them"
                     : "enough usable backends again: panic mode over");
  }
  table_ = std::move(next);
  dirty_ = false;
}

std::vector<BackendIndex> ClusterBrain::Backends() const {
  std::vector<BackendIndex> out;
  for (BackendIndex b = 0; b < members_.size(); ++b) {
    if (members_[b].present) out.push_back(b);
  }
  return out;
}

BackendStatus ClusterBrain::Status(BackendIndex b) const {
  BackendStatus s;
  if (b >= members_.size()) return s;
  const Member& m = members_[b];
  s.name = m.spec.name;
  s.weight = m.spec.weight;
  s.healthy = m.health.healthy();
  s.ejected = options_.outlier_detection && outliers_.IsEjected(b);
  s.times_ejected = outliers_.TimesEjected(b);
  s.draining = m.draining;
  s.requests = m.requests;
  s.failures = m.failures;
  for (const RoutingEntry& e : table_->entries) {
    if (e.backend == b) {
      s.in_table = true;
      s.effective_weight = e.weight;
    }
  }
  return s;
}

void ClusterBrain::Emit(TimePoint at, BackendIndex b, std::string kind, std::string reason) {
  if (listener_) listener_(DecisionEvent{at, b, std::move(kind), std::move(reason)});
}

}  // namespace huddle::core
