#include "core/control/risk_evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace huddle::core {
namespace {

template <typename... Args>
std::string Format(const char* format, Args... args) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return buffer;
}

int Percent(double fraction) { return static_cast<int>(std::lround(100.0 * fraction)); }

}  // namespace

const char* RiskKindName(RiskKind kind) {
  switch (kind) {
    case RiskKind::kCollapseRisk:
      return "collapse_risk";
    case RiskKind::kCascadeRisk:
      return "cascade_risk";
    case RiskKind::kSaturationPredicted:
      return "saturation_predicted";
    case RiskKind::kKeystoneDegraded:
      return "keystone_degraded";
    case RiskKind::kLatencySloRisk:
      return "latency_slo_risk";
  }
  return "unknown";
}

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "unknown";
}

Result<RiskOptions> RiskOptions::Parse(const OptionMap& options) {
  RiskOptions o;
  OptionReader r(options, "risk");
  const OptionRange unit{.min = 0, .max = 1};
  const OptionRange rho{.min = 0, .max = 10, .min_exclusive = true};
  o.collapse_rho = r.Double("collapse_rho", o.collapse_rho, rho);
  o.collapse_critical_rho = r.Double("collapse_critical_rho", o.collapse_critical_rho, rho);
  o.saturation_warning_probability =
      r.Double("saturation_warning_probability", o.saturation_warning_probability, unit);
  o.saturation_critical_probability =
      r.Double("saturation_critical_probability", o.saturation_critical_probability, unit);
  o.saturation_critical_eta = r.Time("saturation_critical_eta", o.saturation_critical_eta);
  o.slo_warning_fraction = r.Double("slo_warning_fraction", o.slo_warning_fraction, unit);
  o.cascade_min_weight = r.Double("cascade_min_weight", o.cascade_min_weight, unit);
  o.keystone_min_dependents = static_cast<int>(
      r.Int("keystone_min_dependents", o.keystone_min_dependents, {.min = 1, .max = 1e6}));
  o.degraded_rho = r.Double("degraded_rho", o.degraded_rho, rho);
  o.degraded_error_rate = r.Double("degraded_error_rate", o.degraded_error_rate, unit);
  o.cooldown = r.Time("cooldown", o.cooldown);
  if (o.collapse_critical_rho < o.collapse_rho) {
    r.Problem("collapse_critical_rho must be >= collapse_rho");
  }
  if (o.saturation_critical_probability < o.saturation_warning_probability) {
    r.Problem("saturation_critical_probability must be >= saturation_warning_probability");
  }
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

bool RiskEvaluator::PassCooldown(const RiskEvent& event) {
  const auto key = std::make_pair(static_cast<int>(event.kind), event.service);
  auto it = fired_.find(key);
  if (it != fired_.end() && event.at - it->second.at < options_.cooldown &&
      event.severity <= it->second.severity) {
    return false;
  }
  fired_[key] = Fired{event.at, event.severity};
  return true;
}

std::vector<RiskEvent> RiskEvaluator::Evaluate(std::span<const ServiceRisk> services,
                                               const DependencyGraph& graph, TimePoint now) {
  using Index = DependencyGraph::Index;
  std::vector<RiskEvent> raw;
  std::vector<Severity> worst(services.size(), Severity::kInfo);  // critical-source tracking
  std::vector<const char*> cause(services.size(), "");
  auto add = [&](RiskKind kind, Index i, Severity severity, std::string reason) {
    raw.push_back({kind, i, severity, now, std::move(reason)});
  };
  for (Index i = 0; i < services.size(); ++i) {
    const ServiceRisk& s = services[i];
    if (s.quality == SignalQuality::kSparse) continue;
    const char* name = graph.name(i).c_str();
    if (s.overloaded || s.rho >= options_.collapse_rho) {
      const bool critical = s.overloaded || s.rho >= options_.collapse_critical_rho;
      add(RiskKind::kCollapseRisk, i, critical ? Severity::kCritical : Severity::kWarning,
          s.overloaded ? Format("%s receives more requests than it can serve (utilisation %d%%); "
                                "its queue is growing",
                                name, Percent(s.rho))
                       : Format("%s runs at %d%% of capacity, above the collapse threshold of %d%%",
                                name, Percent(s.rho), Percent(options_.collapse_rho)));
      if (critical) cause[i] = "is at risk of collapse";
    }
    if (s.saturation_probability >= options_.saturation_warning_probability) {
      const bool critical = s.saturation_probability >= options_.saturation_critical_probability &&
                            s.time_to_saturation_s <= ToSeconds(options_.saturation_critical_eta);
      add(RiskKind::kSaturationPredicted, i, critical ? Severity::kCritical : Severity::kWarning,
          Format("%s saturates within %.0f s in %d%% of projected scenarios (median in %.0f s)",
                 name, s.horizon_s, Percent(s.saturation_probability),
                 std::min(s.time_to_saturation_s, s.horizon_s)));
      if (critical && !*cause[i]) cause[i] = "is predicted to saturate";
    }
    const bool slo_warn = s.p99_predicted_s >= options_.slo_warning_fraction * s.slo_s;
    if (slo_warn) {
      const bool critical = s.p99_predicted_s >= s.slo_s;
      add(RiskKind::kLatencySloRisk, i, critical ? Severity::kCritical : Severity::kWarning,
          Format("%s p99 latency is predicted at %.0f ms against an SLO of %.0f ms", name,
                 1000.0 * s.p99_predicted_s, 1000.0 * s.slo_s));
      if (critical && !*cause[i]) cause[i] = "breaks its latency SLO";
    }
    if (*cause[i]) worst[i] = Severity::kCritical;
  }
  // Cascade: each dependent of a critical service, keeping the strongest source per dependent.
  std::vector<double> cascade_weight(services.size(), 0.0);
  std::vector<Index> cascade_source(services.size(), 0);
  for (Index i = 0; i < services.size(); ++i) {
    if (worst[i] != Severity::kCritical) continue;
    for (const auto& [dependent, weight] : graph.Dependents(i, options_.cascade_min_weight)) {
      if (dependent < services.size() && weight > cascade_weight[dependent]) {
        cascade_weight[dependent] = weight;
        cascade_source[dependent] = i;
      }
    }
  }
  for (Index d = 0; d < services.size(); ++d) {
    if (cascade_weight[d] <= 0.0) continue;
    const Index source = cascade_source[d];
    const bool direct = graph.Weight(d, source) > 0.0;
    add(RiskKind::kCascadeRisk, d,
        cascade_weight[d] >= 0.5 ? Severity::kCritical : Severity::kWarning,
        Format("%s depends on %s (%d%% of its requests%s), which %s", graph.name(d).c_str(),
               graph.name(source).c_str(), Percent(cascade_weight[d]),
               direct ? "" : ", through other services", cause[source]));
  }
  // Keystones: many dependents and degraded.
  for (Index i = 0; i < services.size(); ++i) {
    const ServiceRisk& s = services[i];
    if (s.quality == SignalQuality::kSparse) continue;
    const bool degraded = s.rho >= options_.degraded_rho ||
                          s.error_rate >= options_.degraded_error_rate ||
                          s.p99_predicted_s >= options_.slo_warning_fraction * s.slo_s;
    if (!degraded) continue;
    const size_t dependents = graph.Dependents(i, options_.cascade_min_weight).size();
    if (dependents < static_cast<size_t>(options_.keystone_min_dependents)) continue;
    add(RiskKind::kKeystoneDegraded, i, worst[i],
        Format("%s is degraded (utilisation %d%%, errors %.1f%%) and %zu services depend on it",
               graph.name(i).c_str(), Percent(s.rho), 100.0 * s.error_rate, dependents));
    if (worst[i] == Severity::kInfo) raw.back().severity = Severity::kWarning;
  }
  std::vector<RiskEvent> out;
  for (RiskEvent& e : raw) {
    if (PassCooldown(e)) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace huddle::core
