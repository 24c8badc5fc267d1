#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace huddle::web {

// What the process serving the dashboard offers; the page reads it from /ui/config.json and only
// calls the APIs listed here, so a missing body shows "not available" instead of failing
// requests. Plain data, filled by the host (the proxy's, engine's or coordinator's admin handler).
struct DashboardFeatures {
  std::string title = "huddle";
  // GET /api/v1/clusters, /api/v1/events, /metrics; POST backend drain / enable / weight.
  bool proxy = false;
  // GET /api/v1/snapshot, /api/v1/events; POST /api/v1/control/toggle, /api/v1/policy/update,
  // /api/v1/runtime/step, /api/v1/control/chaos-run.
  bool engine = false;
  bool engine_stream = false;  // a WebSocket at /ws sends one snapshot JSON per tick
  // Base URL of the task coordinator's API (/api/workers, /api/waves, /api/migrations): "" for
  // none, "/" for this origin, or "http://host:port/" (that server must then allow CORS).
  std::string tasks_url;
  bool token_required = false;  // API calls need "Authorization: Bearer <token>"
};

struct DashboardResponse {
  int status = 200;
  std::string_view content_type;
  std::string body;
};

// The JSON the page reads at /ui/config.json.
std::string DashboardConfigJson(const DashboardFeatures& features);

// Answers GET or HEAD of "/", "/ui", "/ui/..." (the embedded files and /ui/config.json); any other
// request gives nullopt so the host answers it. An unknown /ui/ file is a 404; a method other than
// GET/HEAD on /ui/ paths is a 405. Serving these needs no token: they hold no state or secret.
std::optional<DashboardResponse> ServeDashboard(std::string_view method, std::string_view path,
                                                const DashboardFeatures& features);

}  // namespace huddle::web
