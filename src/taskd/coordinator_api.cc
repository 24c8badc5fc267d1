#include "taskd/coordinator_api.h"

#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

#include "web/dashboard_handler.h"

namespace huddle::taskd {
namespace {

using nlohmann::json;

HttpResponse JsonOk(const json& body, int status = 200) {
  return HttpResponse{.status = status, .body = body.dump()};
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t j = path.find('/', i);
    parts.push_back(path.substr(i, j == std::string_view::npos ? path.npos : j - i));
    if (j == std::string_view::npos) break;
    i = j;
  }
  return parts;
}

std::optional<uint64_t> ParseId(std::string_view text) {
  uint64_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

HttpResponse JsonError(int status, const std::string& message) {
  return HttpResponse{.status = status, .body = json{{"error", message}}.dump()};
}

std::string QueryValue(const std::string& query, const std::string& key) {
  std::string_view q = query;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return "";
}

CoordinatorApi::CoordinatorApi(Coordinator& coordinator, Clock clock, http::AuthPolicy auth,
                               http::JsonLimits json_limits)
    : coordinator_(coordinator),
      clock_(std::move(clock)),
      auth_(std::move(auth)),
      json_limits_(json_limits) {}

std::expected<json, HttpResponse> CoordinatorApi::Body(const HttpRequest& request) const {
  auto j = http::ParseJsonLimited(request.body, json_limits_);
  if (!j) return std::unexpected(JsonError(j.error().status, j.error().message));
  return std::move(*j);
}

HttpResponse CoordinatorApi::Handle(const HttpRequest& request) {
  const http::RequestCredentials credentials{
      .host = request.host, .origin = request.origin, .authorization = request.authorization};
  if (auto refused = http::CheckRequest(auth_, credentials, /*needs_token=*/false)) {
    return JsonError(refused->status, refused->message);
  }
  if (request.path == "/healthz") return HttpResponse{.content_type = "text/plain", .body = "ok\n"};
  // The dashboard (built into the binary) at / and /ui/*, its Topology view reading this API from
  // the same origin; without the token, like /healthz: the page holds no state and no secret.
  web::DashboardFeatures features;
  features.title = "huddle tasks";
  features.tasks_url = "/";
  features.token_required = !auth_.token.empty();
  if (std::optional<web::DashboardResponse> page =
          web::ServeDashboard(request.method, request.path, features)) {
    return HttpResponse{.status = page->status,
                        .content_type = std::string(page->content_type),
                        .body = std::move(page->body)};
  }
  if (auto refused = http::CheckRequest(auth_, credentials, /*needs_token=*/true)) {
    return JsonError(refused->status, refused->message);
  }
  const core::TimePoint now = clock_();
  const std::vector<std::string_view> parts = Split(request.path);
  if (request.path == "/metrics" && request.method == "GET") {
    return HttpResponse{.content_type = "text/plain; version=0.0.4",
                        .body = coordinator_.PrometheusText()};
  }
  if (parts.size() < 2 || parts[0] != "api") return JsonError(404, "no such endpoint");
  if (parts[1] == "tasks") return Tasks(request, now);
  if (parts[1] == "workers") return Workers(request, now);
  if (parts.size() == 2 && parts[1] == "migrations" && request.method == "GET") {
    return JsonOk(coordinator_.MigrationsJson());
  }
  if (parts.size() == 2 && parts[1] == "stats" && request.method == "GET") {
    return JsonOk(coordinator_.StatsJson());
  }
  if (parts[1] == "waves") {
    if (parts.size() == 2 && request.method == "GET") return JsonOk(coordinator_.WavesJson());
    if (parts.size() == 2 && request.method == "POST") {
      const auto body = Body(request);
      if (!body) return body.error();
      if (!body->is_object()) return JsonError(400, "a wave report must be an object");
      coordinator_.RecordWave(*body);
      return JsonOk(json{{"ok", true}});
    }
    if (parts.size() == 3 && parts[2] == "start" && request.method == "POST") {
      auto id = coordinator_.RequestWave(now);
      if (!id) return JsonError(409, id.error().message);
      return JsonOk(json{{"wave", *id}}, 202);
    }
  }
  return JsonError(404, "no such endpoint");
}

HttpResponse CoordinatorApi::Tasks(const HttpRequest& request, core::TimePoint now) {
  const std::vector<std::string_view> parts = Split(request.path);
  if (parts.size() == 2) {
    if (request.method == "GET") {
      return JsonOk(coordinator_.TasksJson(QueryValue(request.query, "state")));
    }
    if (request.method != "POST") return JsonError(405, "use GET or POST");
    const auto body = Body(request);
    if (!body) return body.error();
    std::vector<json> items;
    if (body->is_object() && body->contains("tasks")) {
      if (!(*body)["tasks"].is_array()) return JsonError(400, "tasks must be an array");
      for (const json& t : (*body)["tasks"]) items.push_back(t);
    } else {
      items.push_back(*body);
    }
    std::vector<TaskSpec> specs;
    for (size_t i = 0; i < items.size(); ++i) {
      auto spec = TaskSpecFromJson(items[i]);
      if (!spec) {
        return JsonError(400, "task " + std::to_string(i) + ": " + spec.error().message);
      }
      if (auto admitted = coordinator_.Admit(*spec); !admitted) {
        return JsonError(403, "task " + std::to_string(i) + ": " + admitted.error().message);
      }
      specs.push_back(std::move(*spec));
    }
    json ids = json::array();
    for (TaskSpec& s : specs) {
      auto id = coordinator_.Submit(std::move(s), now);
      if (!id) return JsonError(500, id.error().message);
      ids.push_back(*id);
    }
    return JsonOk(json{{"ids", ids}}, 201);
  }
  const auto id = ParseId(parts[2]);
  if (!id) return JsonError(400, "a task id is a number");
  if (parts.size() == 3 && request.method == "GET") {
    auto task = coordinator_.TaskJson(*id);
    if (!task) return JsonError(404, "no such task");
    return JsonOk(*task);
  }
  if ((parts.size() == 3 && request.method == "DELETE") ||
      (parts.size() == 4 && parts[3] == "cancel" && request.method == "POST")) {
    auto r = coordinator_.Cancel(*id, now);
    if (!r) return JsonError(409, r.error().message);
    return JsonOk(json{{"ok", true}});
  }
  if (parts.size() == 4 && parts[3] == "migrate" && request.method == "POST") {
    const auto body = Body(request);
    if (!body) return body.error();
    std::optional<core::WorkerId> target;
    if (body && body->is_object() && body->contains("target") &&
        (*body)["target"].is_number_unsigned()) {
      target = (*body)["target"].get<core::WorkerId>();
    } else if (body && body->is_object() && body->contains("target_node") &&
               (*body)["target_node"].is_string()) {
      target = coordinator_.WorkerByNode((*body)["target_node"].get<std::string>());
      if (!target) return JsonError(409, "no active worker on that node");
    } else {
      return JsonError(400, "expected {\"target\": WORKER_ID} or {\"target_node\": NAME}");
    }
    auto r = coordinator_.Migrate(*id, *target, now);
    if (!r) return JsonError(409, r.error().message);
    return JsonOk(json{{"ok", true}}, 202);
  }
  return JsonError(404, "no such endpoint");
}

HttpResponse CoordinatorApi::Workers(const HttpRequest& request, core::TimePoint now) {
  const std::vector<std::string_view> parts = Split(request.path);
  if (parts.size() == 2 && request.method == "GET") return JsonOk(coordinator_.WorkersJson());
  if (parts.size() == 3 && parts[2] == "register" && request.method == "POST") {
    const auto body = Body(request);
    if (!body) return body.error();
    auto profile = WorkerProfileFromJson(*body);
    if (!profile) return JsonError(400, profile.error().message);
    const std::string secret = http::RandomToken();
    auto id = coordinator_.Register(*profile, secret, now, request.worker_secret);
    if (!id) return JsonError(409, id.error().message);
    return JsonOk(
        json{{"worker_id", *id},
             {"worker_secret", secret},
             {"heartbeat_interval_ms", core::ToMillis(coordinator_.heartbeat_interval())}},
        201);
  }
  if (parts.size() == 4 && parts[3] == "poll" && request.method == "POST") {
    const auto id = ParseId(parts[2]);
    if (!id) return JsonError(400, "a worker id is a number");
    const auto body = Body(request);
    if (!body) return body.error();
    auto poll = PollRequestFromJson(*body);
    if (!poll) return JsonError(400, poll.error().message);
    auto response =
        coordinator_.Poll(static_cast<core::WorkerId>(*id), request.worker_secret, *poll, now);
    if (!response) return JsonError(403, response.error().message);
    return JsonOk(ToJson(*response));
  }
  return JsonError(404, "no such endpoint");
}

}  // namespace huddle::taskd
