#pragma once

#include <functional>
#include <string>

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
// With a token, every request but /healthz needs "Authorization: Bearer TOKEN" (else 401).
// Thread-safe as the Coordinator is.
class CoordinatorApi {
 public:
  using Clock = std::function<core::TimePoint()>;

  CoordinatorApi(Coordinator& coordinator, Clock clock, std::string token);

  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse Tasks(const HttpRequest& request, core::TimePoint now);
  HttpResponse Workers(const HttpRequest& request, core::TimePoint now);

  Coordinator& coordinator_;
  Clock clock_;
  std::string token_;
};

// A JSON error body {"error": message} with `status`.
HttpResponse JsonError(int status, const std::string& message);
// The value of `key` in a query string "a=1&b=2" (no percent-decoding), or "".
std::string QueryValue(const std::string& query, const std::string& key);

}  // namespace huddle::taskd
