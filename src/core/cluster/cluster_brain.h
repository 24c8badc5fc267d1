#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend.h"
#include "core/error.h"
#include "core/event.h"
#include "core/health/health_check_state.h"
#include "core/health/outlier_detector.h"
#include "core/health/slow_start.h"
#include "core/policy/routing_table.h"
#include "core/random.h"
#include "core/time.h"

namespace huddle::core {

// Weights a backend may have, at load and at runtime. The bounds keep weight sums and ratios
// finite in every policy (a weight of 1e308 overflowed the weighted sums to infinity).
inline constexpr double kMinBackendWeight = 1e-6;
inline constexpr double kMaxBackendWeight = 1e6;

// True when `weight` is finite and within [kMinBackendWeight, kMaxBackendWeight].
bool ValidBackendWeight(double weight);

// What a cluster member is, as configured.
struct BackendSpec {
  std::string name;
  double weight = 1.0;  // in [kMinBackendWeight, kMaxBackendWeight]
};

struct ClusterBrainOptions {
  // Rise/fall of active health checks. Backends start healthy (see HealthCheckState).
  HealthCheckOptions health_check;
  bool outlier_detection = true;
  OutlierDetectionOptions outlier;
  SlowStartOptions slow_start;
  // Below this percentage of usable backends the table lists all of them (Envoy's panic mode).
  // 0 disables panic.
  double panic_threshold_percent = 50.0;
  // Seed of the brain's own random source (outlier enforcement draws, ejection jitter).
  uint64_t seed = 1;
};

// A backend's state as the brain sees it, for reports.
struct BackendStatus {
  std::string name;
  double weight = 1.0;            // configured
  double effective_weight = 0.0;  // in the current table; 0 when not listed
  bool healthy = true;            // active health checks
  bool ejected = false;           // outlier detection
  uint32_t times_ejected = 0;
  bool draining = false;
  bool in_table = false;
  uint64_t requests = 0;
  uint64_t failures = 0;
};

// The per-cluster control brain: which backends may receive traffic, and with what weight.
// It combines configured weights, drains, active health checks (rise/fall), Envoy-style outlier
// detection, slow start and panic mode into one immutable RoutingTable, rebuilt when something
// changes. Policies (one per worker) pick from that table.
//
// Not thread-safe: bodies call it from one control thread (the proxy) or under their own lock
// (the embeddable Cluster). table() hands out a shared snapshot that any thread may read.
// Backend indices are never reused within one brain, so per-index policy state never leaks from a
// removed backend to a new one.
class ClusterBrain {
 public:
  explicit ClusterBrain(ClusterBrainOptions options);
  ClusterBrain(const ClusterBrain&) = delete;
  ClusterBrain& operator=(const ClusterBrain&) = delete;

  // REQUIRES: ValidBackendWeight(spec.weight) and a name not already present (checked; error
  // otherwise).
  Result<BackendIndex> AddBackend(const BackendSpec& spec, TimePoint now);
  Result<void> RemoveBackend(BackendIndex b);
  std::optional<BackendIndex> Find(std::string_view name) const;
  // Draining backends keep their in-flight requests but get no new ones, even in panic.
  Result<void> SetDraining(BackendIndex b, bool draining);
  Result<void> SetWeight(BackendIndex b, double weight);

  // A finished user request (passive health: outlier detection).
  void Observe(BackendIndex b, const Outcome& outcome, TimePoint now);
  // A finished active health check.
  void ObserveProbe(BackendIndex b, const Outcome& outcome, TimePoint now);
  // Periodic work: outlier sweeps and un-ejections, slow-start ramps; rebuilds the table when
  // anything changed. Call it every control tick (100 ms in the proxy).
  void Tick(TimePoint now);

  // The current table. Its version grows by one at each rebuild.
  std::shared_ptr<const RoutingTable> table() const { return table_; }
  // Backends present, in index order.
  std::vector<BackendIndex> Backends() const;
  BackendStatus Status(BackendIndex b) const;
  bool InPanic() const { return table_->panic; }

  void SetEventListener(DecisionListener listener) { listener_ = std::move(listener); }

 private:
  struct Member {
    BackendSpec spec;
    bool present = false;
    bool draining = false;
    HealthCheckState health;
    TimePoint ready_since{};  // start of the slow-start ramp
    uint64_t requests = 0;
    uint64_t failures = 0;
  };

  bool Valid(BackendIndex b) const { return b < members_.size() && members_[b].present; }
  bool Usable(BackendIndex b) const;
  void Rebuild(TimePoint now);
  void Emit(TimePoint at, BackendIndex b, std::string kind, std::string reason);

  ClusterBrainOptions options_;
  Xoshiro256 rng_;
  OutlierDetector outliers_;
  std::vector<Member> members_;
  std::shared_ptr<const RoutingTable> table_;
  bool dirty_ = true;
  bool ramping_ = false;  // the current table holds slow-start weights below full
  bool panic_reported_ = false;
  DecisionListener listener_;
};

}  // namespace huddle::core
