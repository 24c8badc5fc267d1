#include "engine/engine_api.h"

#include <nlohmann/json.hpp>

#include "common/http/auth.h"
#include "common/http/json_limits.h"
#include "common/prometheus_text.h"
#include "engine/engine_json.h"

namespace huddle::engine {
namespace {

using common::AdminRequest;
using common::AdminResponse;
using nlohmann::json;

AdminResponse Json(int status, const json& body) {
  return {status, "application/json", body.dump() + "\n"};
}

AdminResponse Error(int status, const std::string& message) {
  return Json(status, {{"error", message}});
}

size_t Limit(const std::string& query, size_t fallback) {
  const size_t at = query.find("limit=");
  if (at == std::string::npos) return fallback;
  const long v = std::strtol(query.c_str() + at + 6, nullptr, 10);
  return v > 0 ? std::min<size_t>(static_cast<size_t>(v), 10000) : fallback;
}

// A JSON object body, or an empty object for an empty body.
std::optional<json> ObjectBody(const std::string& body) {
  if (body.empty()) return json::object();
  auto j = http::ParseJsonLimited(body, http::JsonLimits{.max_bytes = 64 * 1024});
  if (!j || !j->is_object()) return std::nullopt;
  return std::move(*j);
}

}  // namespace

EngineApi::EngineApi(Engine& engine, std::mutex& mutex, std::string token)
    : engine_(engine), mutex_(mutex), token_(std::move(token)) {}

bool EngineApi::Authorized(const AdminRequest& r, bool ingest) const {
  if (token_.empty()) return true;
  if (r.authorization.starts_with("Bearer ") &&
      http::ConstantTimeEquals(std::string_view(r.authorization).substr(7), token_)) {
    return true;
  }
  return ingest && http::ConstantTimeEquals(r.ingest_token, token_);
}

AdminResponse EngineApi::Ingest(const AdminRequest& request, core::TimePoint now) {
  if (request.body.size() > engine_.options().ingest.max_body_bytes) {
    std::lock_guard lock(mutex_);
    return Error(413, "body is larger than " +
                          std::to_string(engine_.options().ingest.max_body_bytes) + " bytes");
  }
  // The same depth limit as every JSON body of a control plane (common/http/json_limits.h):
  // nlohmann recurses on nested values, so 300 000 levels would exhaust the stack.
  if (http::JsonDepth(request.body, http::JsonLimits{}.max_depth) > http::JsonLimits{}.max_depth) {
    std::lock_guard lock(mutex_);
    return Error(400, "the JSON body nests deeper than " +
                          std::to_string(http::JsonLimits{}.max_depth) + " levels");
  }
  std::lock_guard lock(mutex_);
  auto outcome = engine_.IngestBody(request.body, now);
  if (!outcome) return Error(400, outcome.error().message);
  if (outcome->errors.empty()) {
    return Json(202, {{"status", "accepted"}, {"accepted", outcome->accepted}});
  }
  json errors = json::array();
  for (const PointError& e : outcome->errors) {
    errors.push_back({{"index", e.index}, {"error", e.message}});
  }
  return Json(400, {{"status", "partial"},
                    {"accepted", outcome->accepted},
                    {"rejected", outcome->errors.size()},
                    {"errors", std::move(errors)}});
}

AdminResponse EngineApi::Handle(const AdminRequest& r, core::TimePoint now, double wall_offset_s) {
  const bool post = r.method == "POST";
  const bool get = r.method == "GET" || r.method == "HEAD";
  if (r.path == "/api/v1/ingest") {
    if (!post) return Error(405, "use POST");
    if (!Authorized(r, true)) {
      std::lock_guard lock(mutex_);
      ++unauthorized_;
      return Error(401, "ingest token required (X-Ingest-Token or Authorization: Bearer)");
    }
    return Ingest(r, now);
  }
  if (r.path == "/health" && get) {
    std::lock_guard lock(mutex_);
    return Json(200, {{"status", "ok"},
                      {"component", "huddle_engine"},
                      {"services", engine_.services().size()},
                      {"ticks", engine_.ticks()}});
  }
  if (r.path == "/metrics" && get) return Metrics();
  if (r.path == "/api/v1/snapshot" && get) {
    std::lock_guard lock(mutex_);
    if (!engine_.last_tick()) return {204, "application/json", ""};
    return Json(200, SnapshotJson(engine_, wall_offset_s));
  }
  if (r.path == "/api/v1/events" && get) {
    std::lock_guard lock(mutex_);
    json events = json::array();
    const size_t limit = Limit(r.query, 100);
    for (auto it = engine_.events().rbegin();
         it != engine_.events().rend() && events.size() < limit; ++it) {
      events.push_back(EventJson(*it, wall_offset_s));
    }
    return Json(200, {{"events", std::move(events)}});
  }
  if (r.path == "/api/v1/directives" && get) {
    std::lock_guard lock(mutex_);
    json out = json::array();
    const size_t limit = Limit(r.query, 100);
    for (auto it = engine_.journal().rbegin(); it != engine_.journal().rend() && out.size() < limit;
         ++it) {
      out.push_back(DirectiveJson(*it, wall_offset_s));
    }
    return Json(200, {{"directives", std::move(out)}});
  }
  const bool control = r.path == "/api/v1/control/toggle" || r.path == "/api/v1/policy/update" ||
                       r.path == "/api/v1/runtime/step" || r.path == "/api/v1/control/chaos-run" ||
                       r.path == "/api/v1/alerts/ack";
  if (!control) return Error(404, "no such endpoint: " + r.method + " " + r.path);
  if (!post) return Error(405, "use POST");
  if (!Authorized(r, false)) {
    std::lock_guard lock(mutex_);
    ++unauthorized_;
    return Error(401, "token required (Authorization: Bearer)");
  }
  auto body = ObjectBody(r.body);
  if (!body) return Error(400, "body must be a JSON object");
  std::unique_lock lock(mutex_);
  if (r.path == "/api/v1/control/toggle") {
    core::AutopilotMode mode = engine_.mode() == core::AutopilotMode::kEnabled
                                   ? core::AutopilotMode::kFrozen
                                   : core::AutopilotMode::kEnabled;
    if (body->contains("mode")) {
      const json& m = (*body)["mode"];
      if (m == "enabled") {
        mode = core::AutopilotMode::kEnabled;
      } else if (m == "frozen") {
        mode = core::AutopilotMode::kFrozen;
      } else {
        return Error(400, "mode: must be \"enabled\" or \"frozen\"");
      }
    }
    engine_.SetMode(mode);
    return Json(200, {{"mode", core::AutopilotModeName(mode)}});
  }
  if (r.path == "/api/v1/policy/update") {
    const json p = body->value("preset", json());
    core::AutopilotPreset preset;
    if (p == "safe") {
      preset = core::AutopilotPreset::kSafe;
    } else if (p == "normal") {
      preset = core::AutopilotPreset::kNormal;
    } else if (p == "performance") {
      preset = core::AutopilotPreset::kPerformance;
    } else {
      return Error(400, "preset: must be \"safe\", \"normal\" or \"performance\"");
    }
    engine_.SetPreset(preset);
    return Json(200, {{"preset", core::AutopilotPresetName(preset)}});
  }
  if (r.path == "/api/v1/runtime/step") {
    TickReport report = engine_.Tick(now);
    json j = TickJson(engine_, report, wall_offset_s);
    lock.unlock();
    if (on_step_) on_step_(report);
    return Json(200, j);
  }
  if (r.path == "/api/v1/control/chaos-run") {
    const json& s = body->value("service", json());
    if (!s.is_string()) return Error(400, "service: required string");
    const json rate = body->value("rate_factor", json(2.5));
    const json latency = body->value("latency_factor", json(1.6));
    const json ticks = body->value("ticks", json(30));
    if (!rate.is_number() || !latency.is_number() || !ticks.is_number_integer()) {
      return Error(400, "rate_factor, latency_factor: numbers; ticks: integer");
    }
    auto ok = engine_.InjectChaos(s.get<std::string>(), rate.get<double>(), latency.get<double>(),
                                  ticks.get<int>());
    if (!ok) return Error(400, ok.error().message);
    return Json(202, {{"status", "chaos scheduled"}, {"service", s}, {"ticks", ticks}});
  }
  // /api/v1/alerts/ack
  const json id = body->value("id", json());
  if (!id.is_number_unsigned()) return Error(400, "id: required event id");
  auto ok = engine_.Acknowledge(id.get<uint64_t>());
  if (!ok) return Error(404, ok.error().message);
  return Json(200, {{"acknowledged", id}});
}

AdminResponse EngineApi::Metrics() const {
  common::PrometheusText m;
  AppendMetrics(m);
  return {200, "text/plain; version=0.0.4; charset=utf-8", m.Text()};
}

void EngineApi::AppendMetrics(common::PrometheusText& m) const {
  using common::PrometheusText;
  std::lock_guard lock(mutex_);
  const EngineCounters& c = engine_.counters();
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    m.Family(name, PrometheusText::kCounter, help);
    m.Sample(name, {}, v);
  };
  counter("huddle_engine_points_accepted_total", "Telemetry points recorded.", c.points_accepted);
  counter("huddle_engine_points_rejected_total", "Telemetry points with an invalid field.",
          c.points_rejected);
  counter("huddle_engine_points_rejected_capacity_total",
          "Points of new services refused at the service cap.", c.points_rejected_capacity);
  counter("huddle_engine_requests_rejected_total", "Ingest bodies refused as a whole.",
          c.requests_rejected);
  counter("huddle_engine_unauthorized_total", "Requests refused for a missing token.",
          unauthorized_);
  counter("huddle_engine_ticks_total", "Engine ticks.", c.ticks);
  counter("huddle_engine_events_total", "Risk events emitted.", c.events);
  counter("huddle_engine_directives_total", "Autopilot directives journaled.", c.directives);
  m.Family("huddle_engine_services", PrometheusText::kGauge, "Services tracked.");
  m.Sample("huddle_engine_services", {}, engine_.services().size());
  struct Gauge {
    const char* name;
    const char* help;
    double ServiceView::*field;
  };
  const Gauge gauges[] = {
      {"huddle_engine_service_rho", "Utilisation per replica (0..1).", &ServiceView::rho},
      {"huddle_engine_service_request_rate", "Requests per second.", &ServiceView::request_rate},
      {"huddle_engine_service_forecast_rps", "Forecast requests per second at the horizon.",
       &ServiceView::forecast_rps},
      {"huddle_engine_service_saturation_probability",
       "Probability of saturation within the horizon.", &ServiceView::saturation_probability},
      {"huddle_engine_service_admit_probability", "Share of requests admitted.",
       &ServiceView::admit_probability},
      {"huddle_engine_service_mape", "Forecast error (mean absolute percentage).",
       &ServiceView::mape}};
  for (const Gauge& g : gauges) {
    m.Family(g.name, PrometheusText::kGauge, g.help);
    for (const ServiceView& v : engine_.services()) {
      // Unknown values (NaN) are written as NaN, which Prometheus stores as such.
      m.Sample(g.name, {{"service", v.id}}, v.*g.field);
    }
  }
  // Seconds, the base unit Prometheus expects (promtool refuses an "_ms" name).
  m.Family("huddle_engine_service_p99_predicted_seconds", PrometheusText::kGauge,
           "Predicted p99 latency.");
  for (const ServiceView& v : engine_.services()) {
    m.Sample("huddle_engine_service_p99_predicted_seconds", {{"service", v.id}},
             v.p99_predicted_ms / 1000.0);
  }
  m.Family("huddle_engine_service_target_replicas", PrometheusText::kGauge,
           "Replicas the autopilot asks for.");
  for (const ServiceView& v : engine_.services()) {
    m.Sample("huddle_engine_service_target_replicas", {{"service", v.id}}, v.target_replicas);
  }
}

}  // namespace huddle::engine
