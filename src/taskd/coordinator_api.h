#pragma once

#include <functional>
#include <string>

#include "common/http/auth.h"
#include "common/http/json_limits.h"
#include "core/time.h"
#include "taskd/coordinator.h"
#include "taskd/http_types.h"

namespace huddle::taskd {

// The coordinator's HTTP API as a pure request -> response function (the server does the I/O):
//   POST /api/tasks                  submit one task (or {"tasks": [...]}) -> 201 {"ids": [...]}
//   GET  /api/tasks[?state=S]        list          GET /api/tasks/ID   one task with its runs
//   POST /api/tasks/ID/cancel        cancel (also DELETE /api/tasks/ID)
//   POST /api/tasks/ID/migrate       {"target": WORKER} migrate through the protocol
//   GET  /api/workers                POST /api/workers/register   POST /api/workers/ID/poll
//   GET  /api/migrations             GET  /api/stats (get_load_balancer_stats)
//   GET  /api/waves   POST /api/waves (a wave's report)   POST /api/waves/start
//   GET  /metrics (Prometheus text)  GET  /healthz
// Every request passes the Host and Origin checks of http::CheckRequest (421, 403); with a token,
// every request but /healthz and the dashboard's static files needs "Authorization: Bearer TOKEN"
// (else 401). Registration answers a per-worker secret; polls must carry it in X-Worker-Secret
// (else 403), and so must a registration that takes over a name (after fencing). JSON bodies over
// the limits get 413 (size) or 400 (depth). Thread-safe as the Coordinator is.
class CoordinatorApi {
 public:
  using Clock = std::function<core::TimePoint()>;

  CoordinatorApi(Coordinator& coordinator, Clock clock, http::AuthPolicy auth,
                 http::JsonLimits json_limits = {});

  HttpResponse Handle(const HttpRequest& request);

 private:
  // The request's JSON body within json_limits_, or the error response.
  std::expected<nlohmann::json, HttpResponse> Body(const HttpRequest& request) const;
  HttpResponse Tasks(const HttpRequest& request, core::TimePoint now);
  HttpResponse Workers(const HttpRequest& request, core::TimePoint now);

  Coordinator& coordinator_;
  Clock clock_;
  const http::AuthPolicy auth_;
  const http::JsonLimits json_limits_;
};

// A JSON error body {"error": message} with `status`.
HttpResponse JsonError(int status, const std::string& message);
// The value of `key` in a query string "a=1&b=2" (no percent-decoding), or "".
std::string QueryValue(const std::string& query, const std::string& key);

}  // namespace huddle::taskd
