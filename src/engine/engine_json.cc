#include "engine/engine_json.h"

#include <cmath>

namespace huddle::engine {
namespace {

// JSON has no infinity: unknown or unbounded values are written as null.
nlohmann::json Number(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

}  // namespace

nlohmann::json ServiceJson(const ServiceView& v) {
  return {
      {"id", v.id},
      {"quality", core::SignalQualityName(v.quality)},
      {"confidence", Number(v.confidence)},
      {"request_rate", Number(v.request_rate)},
      {"unique_demand", Number(v.unique_demand)},
      {"error_rate", Number(v.error_rate)},
      {"latency_p99_ms", Number(v.latency_p99_ms)},
      {"queue_depth", Number(v.queue_depth)},
      {"mu_per_replica", Number(v.mu_per_replica)},
      {"mu_source", v.mu_source},
      {"ready_replicas", Number(v.ready_replicas)},
      {"target_replicas", v.target_replicas},
      {"rho", Number(v.rho)},
      {"p99_predicted_ms", Number(v.p99_predicted_ms)},
      {"forecast_rps", Number(v.forecast_rps)},
      {"forecaster", v.forecaster},
      {"mape", Number(v.mape)},
      {"mase", Number(v.mase)},
      {"trend_signal", Number(v.trend_signal)},
      {"saturation_probability", Number(v.saturation_probability)},
      {"time_to_saturation_s", Number(v.time_to_saturation_s)},
      {"admit_probability", Number(v.admit_probability)},
      {"throttle_reject_probability", Number(v.throttle_reject_probability)},
      {"concurrency_limit", v.concurrency_limit},
      {"failing", v.failing},
      {"points", v.points},
      {"rejected_samples", v.rejected_samples},
      {"reason", v.reason},
  };
}

nlohmann::json EventJson(const EngineEvent& e, double wall_offset_s) {
  return {{"id", e.id},
          {"at", WallSeconds(e.at, wall_offset_s)},
          {"service", e.service},
          {"kind", e.kind},
          {"severity", e.severity},
          {"reason", e.reason},
          {"acknowledged", e.acknowledged}};
}

nlohmann::json DirectiveJson(const Directive& d, double wall_offset_s) {
  return {{"id", d.id},           {"at", WallSeconds(d.at, wall_offset_s)},
          {"service", d.service}, {"from", d.from},
          {"to", d.to},           {"act", d.act},
          {"reason", d.reason}};
}

nlohmann::json CountersJson(const EngineCounters& c) {
  return {{"points_accepted", c.points_accepted},
          {"points_rejected", c.points_rejected},
          {"points_rejected_capacity", c.points_rejected_capacity},
          {"requests_rejected", c.requests_rejected},
          {"ticks", c.ticks},
          {"events", c.events},
          {"directives", c.directives},
          {"services_pruned", c.services_pruned}};
}

nlohmann::json SnapshotJson(const Engine& engine, double wall_offset_s) {
  nlohmann::json services = nlohmann::json::array();
  for (const ServiceView& v : engine.services()) services.push_back(ServiceJson(v));
  nlohmann::json j = {
      {"tick", engine.ticks()},
      {"at", engine.last_tick() ? Number(WallSeconds(*engine.last_tick(), wall_offset_s))
                                : nlohmann::json(nullptr)},
      {"mode", core::AutopilotModeName(engine.mode())},
      {"preset", core::AutopilotPresetName(engine.preset())},
      {"services", std::move(services)},
      {"counters", CountersJson(engine.counters())},
  };
  return j;
}

nlohmann::json TickJson(const Engine& engine, const TickReport& report, double wall_offset_s) {
  nlohmann::json j = SnapshotJson(engine, wall_offset_s);
  nlohmann::json events = nlohmann::json::array();
  for (const EngineEvent& e : report.events) events.push_back(EventJson(e, wall_offset_s));
  nlohmann::json directives = nlohmann::json::array();
  for (const Directive& d : report.directives)
    directives.push_back(DirectiveJson(d, wall_offset_s));
  j["events"] = std::move(events);
  j["directives"] = std::move(directives);
  return j;
}

}  // namespace huddle::engine
