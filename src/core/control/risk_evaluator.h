#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/control/dependency_graph.h"
#include "core/control/telemetry_window.h"
#include "core/error.h"
#include "core/options.h"
#include "core/time.h"

namespace huddle::core {

// LoadEquilibrium's event names, plus latency-SLO risk.
enum class RiskKind {
  kCollapseRisk,
  kCascadeRisk,
  kSaturationPredicted,
  kKeystoneDegraded,
  kLatencySloRisk
};
const char* RiskKindName(RiskKind kind);  // "collapse_risk", ..., "latency_slo_risk"

enum class Severity { kInfo = 0, kWarning = 1, kCritical = 2 };
const char* SeverityName(Severity severity);

struct RiskEvent {
  RiskKind kind = RiskKind::kCollapseRisk;
  DependencyGraph::Index service = 0;
  Severity severity = Severity::kWarning;
  TimePoint at{};
  std::string reason;  // one line of plain English, naming the service
};

// What the models say about one service this tick. services[i] describes graph service i.
struct ServiceRisk {
  double rho = 0.0;                     // utilisation now (lambda / capacity)
  bool overloaded = false;              // demand above capacity: the queue grows
  double saturation_probability = 0.0;  // MonteCarloProjection
  double time_to_saturation_s = 1e300;  // median over saturating scenarios
  double horizon_s = 60.0;              // of the projection, for the reason text
  double p99_predicted_s = 0.0;         // queue model p99 latency
  double slo_s = 0.25;
  double error_rate = 0.0;                       // in [0, 1]
  SignalQuality quality = SignalQuality::kGood;  // sparse services raise nothing
};

// Option keys: collapse_rho, collapse_critical_rho, saturation_warning_probability,
// saturation_critical_probability, saturation_critical_eta, slo_warning_fraction,
// cascade_min_weight, keystone_min_dependents, degraded_rho, degraded_error_rate, cooldown.
struct RiskOptions {
  double collapse_rho = 0.90;  // LoadEquilibrium's COLLAPSE_THRESHOLD
  double collapse_critical_rho = 0.97;
  double saturation_warning_probability = 0.30;
  double saturation_critical_probability = 0.70;
  Duration saturation_critical_eta = FromSeconds(60);  // LE: horizon < 60 s is critical
  double slo_warning_fraction = 0.80;                  // p99 above 80 % of the SLO: warning
  double cascade_min_weight = 0.10;  // dependents relying on less than this are not at risk
  int keystone_min_dependents = 2;
  double degraded_rho = 0.80;  // LE's utilisation warning level
  double degraded_error_rate = 0.05;
  Duration cooldown = FromSeconds(30);  // per (kind, service); a higher severity breaks through

  static Result<RiskOptions> Parse(const OptionMap& options);
};

// Turns per-service model outputs and the dependency graph into events:
//   collapse_risk        rho >= collapse_rho (warning), rho >= collapse_critical_rho or
//                        overloaded (critical);
//   saturation_predicted P(saturation within horizon) >= warning p; critical when >= critical p
//                        and the median time to saturation <= saturation_critical_eta;
//   latency_slo_risk     predicted p99 >= slo_warning_fraction x SLO (warning), >= SLO (critical);
//   cascade_risk         on every dependent (weight >= cascade_min_weight) of a service with a
//                        critical collapse, saturation or latency event; critical when the source
//                        is critical and the dependent sends it >= 50 % of its requests;
//   keystone_degraded    a service with >= keystone_min_dependents dependents that is degraded
//                        (rho >= degraded_rho, errors >= degraded_error_rate or a latency
//                        warning); critical when it also has a critical event.
// Cooldown: an event is emitted when its (kind, service) key has not fired within `cooldown`, or
// fires with a higher severity than last time. Not thread-safe.
class RiskEvaluator {
 public:
  explicit RiskEvaluator(const RiskOptions& options = {}) : options_(options) {}

  // REQUIRES: services.size() <= graph.size().
  std::vector<RiskEvent> Evaluate(std::span<const ServiceRisk> services,
                                  const DependencyGraph& graph, TimePoint now);

  const RiskOptions& options() const { return options_; }

 private:
  struct Fired {
    TimePoint at;
    Severity severity;
  };
  bool PassCooldown(const RiskEvent& event);

  RiskOptions options_;
  std::map<std::pair<int, DependencyGraph::Index>, Fired> fired_;
};

}  // namespace huddle::core
