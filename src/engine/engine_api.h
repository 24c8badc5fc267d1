#pragma once

#include <mutex>
#include <string>

#include "common/admin_http_server.h"
#include "core/time.h"
#include "engine/engine.h"

namespace huddle::common {
class PrometheusText;
}

namespace huddle::engine {

// The engine's HTTP API as a pure request handler (no I/O): the server passes each request with
// the current time. Routes (LoadEquilibrium's):
//   POST /api/v1/ingest            token in X-Ingest-Token or Authorization: Bearer (when set);
//                                  202 when every point is accepted, 400 naming each bad field
//                                  (the good points of the same body are still recorded),
//                                  413 for a body over the limit, 401 without the token
//   GET  /api/v1/snapshot          the last tick (204 before the first)
//   GET  /api/v1/events?limit=N    newest events first
//   GET  /api/v1/directives?limit=N
//   POST /api/v1/control/toggle    {"mode": "enabled"|"frozen"} or empty to toggle   (token)
//   POST /api/v1/policy/update     {"preset": "safe"|"normal"|"performance"}           (token)
//   POST /api/v1/runtime/step      runs one tick now, returns it                       (token)
//   POST /api/v1/control/chaos-run {"service", "rate_factor", "latency_factor", "ticks"} (token)
//   POST /api/v1/alerts/ack        {"id": N}                                           (token)
//   GET  /health, GET /metrics (Prometheus text)
// Thread-safe: every call takes `mutex`, which guards `engine` for all its users.
class EngineApi {
 public:
  EngineApi(Engine& engine, std::mutex& mutex, std::string token);

  common::AdminResponse Handle(const common::AdminRequest& request, core::TimePoint now,
                               double wall_offset_s);

  // The engine's counters and per-service gauges (GET /metrics), for a caller that serves them
  // beside its own families (the proxy's /metrics). Takes the engine mutex.
  void AppendMetrics(common::PrometheusText& m) const;

  // Replaces the token (a proxy reload); same thread as Handle().
  void SetToken(std::string token) { token_ = std::move(token); }

  // Called after a tick run through /api/v1/runtime/step (the runtime broadcasts and actuates).
  void set_on_step(std::function<void(const TickReport&)> on_step) {
    on_step_ = std::move(on_step);
  }

 private:
  bool Authorized(const common::AdminRequest& request, bool ingest) const;
  common::AdminResponse Ingest(const common::AdminRequest& request, core::TimePoint now);
  common::AdminResponse Metrics() const;

  Engine& engine_;
  std::mutex& mutex_;
  std::string token_;
  std::function<void(const TickReport&)> on_step_;
  uint64_t unauthorized_ = 0;
};

}  // namespace huddle::engine
