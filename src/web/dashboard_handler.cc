#include "web/dashboard_handler.h"

#include <nlohmann/json.hpp>

#include "web/embedded_assets.h"

namespace huddle::web {

std::string DashboardConfigJson(const DashboardFeatures& f) {
  const nlohmann::json j = {{"version", 1},
                            {"title", f.title},
                            {"proxy", f.proxy},
                            {"engine", f.engine},
                            {"engine_stream", f.engine_stream},
                            {"tasks_url", f.tasks_url},
                            {"token_required", f.token_required}};
  return j.dump() + "\n";
}

std::optional<DashboardResponse> ServeDashboard(std::string_view method, std::string_view path,
                                                const DashboardFeatures& features) {
  const bool ours = path == "/" || path == "/ui" || path.starts_with("/ui/");
  if (!ours) return std::nullopt;
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    return DashboardResponse{405, "text/plain; charset=utf-8", "use GET\n"};
  }
  DashboardResponse r;
  if (path == "/ui/config.json") {
    r = {200, "application/json", DashboardConfigJson(features)};
  } else if (std::optional<EmbeddedAsset> asset = FindAsset(path)) {
    r = {200, asset->content_type, std::string(asset->body)};
  } else {
    r = {404, "text/plain; charset=utf-8", "no such dashboard file\n"};
  }
  if (head) r.body.clear();
  return r;
}

}  // namespace huddle::web
