#pragma once

#include <string>

#include "core/control/hpa_stabilizer.h"
#include "core/control/replica_planner.h"
#include "core/error.h"
#include "core/options.h"
#include "core/random.h"
#include "core/time.h"

namespace huddle::core {

enum class AutopilotMode { kEnabled, kFrozen };
enum class AutopilotPreset { kSafe, kNormal, kPerformance };
const char* AutopilotModeName(AutopilotMode mode);
const char* AutopilotPresetName(AutopilotPreset preset);

// Option keys: preset (safe | normal | performance, applied first), mode (enabled | frozen),
// tolerance, burst_z, setpoint, rho_ceiling, slo, min_replicas, max_replicas, scale_down_window,
// scale_up_window, provisioning_delay. Everything else keeps the preset's value (see ForPreset and
// docs/engine_models.md).
struct AutopilotOptions {
  AutopilotMode mode = AutopilotMode::kEnabled;
  AutopilotPreset preset = AutopilotPreset::kNormal;
  double tolerance = 0.1;  // HPA: no change while |rho / setpoint - 1| <= tolerance
  // The band does not hold a count at which a burst second (demand x (1 + burst_z burst_cv))
  // would pass the planner's rho_ceiling.
  double burst_z = 3.0;
  Duration provisioning_delay = FromSeconds(30);
  ReplicaPlannerOptions planner;
  HpaOptions hpa;

  static AutopilotOptions ForPreset(AutopilotPreset preset);
  static Result<AutopilotOptions> Parse(const OptionMap& options);
};

struct AutopilotInput {
  PlannerInput planner;  // forecast, sigma, mu, service time, queue, capacity (delay overwritten)
  int current = 1;       // the replica target in force (HPA's "current replicas")
};

struct AutopilotDecision {
  int current = 0;
  int recommended = 0;  // MPC output after the tolerance band
  int desired = 0;      // after stabilisation and rate limits; == current when frozen
  bool act = false;     // desired != current and the autopilot is enabled
  double ratio = 0.0;   // forecast rho at current replicas / setpoint, at the provisioning delay
  Plan plan;
  HpaDecision hpa;
  std::string reason;  // one line for the decision journal
};

// The replica autopilot for one service: MPC over forecast scenarios (ReplicaPlanner), the HPA
// tolerance band, then HPA stabilisation and rate limits (HpaStabilizer). Frozen mode still plans
// and explains what it would do, but never changes the target and does not feed the stabiliser's
// history. Not thread-safe.
class Autopilot {
 public:
  explicit Autopilot(const AutopilotOptions& options = {});

  AutopilotDecision Decide(const AutopilotInput& input, TimePoint now, Random& random);

  void SetMode(AutopilotMode mode) { options_.mode = mode; }
  AutopilotMode mode() const { return options_.mode; }
  const AutopilotOptions& options() const { return options_; }

 private:
  AutopilotOptions options_;
  ReplicaPlanner planner_;
  HpaStabilizer stabilizer_;
};

}  // namespace huddle::core
