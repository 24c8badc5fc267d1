#include "proxy/upstream_control.h"

#include <nlohmann/json.hpp>

namespace huddle::proxy {

std::variant<ControlAction, ControlRejection> ParseControlRequest(std::string_view method,
                                                                  std::string_view path,
                                                                  std::string_view body) {
  if (path == "/healthz") {
    if (method != "GET") return ControlRejection{405, "use GET"};
    return ControlAction{.kind = ControlAction::Kind::kHealth};
  }
  if (path != "/faults" && path != "/faults/") {
    return ControlRejection{404, "no such path: the control API is GET, POST, DELETE /faults"};
  }
  if (method == "GET") return ControlAction{.kind = ControlAction::Kind::kStatus};
  if (method == "DELETE") return ControlAction{.kind = ControlAction::Kind::kClear};
  if (method != "POST") return ControlRejection{405, "use GET, POST or DELETE"};
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return ControlRejection{400,
                            "the body must be a JSON object {\"faults\": [\"KIND:...\", ...]}"};
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "faults") return ControlRejection{400, "unknown key '" + key + "'"};
  }
  const auto it = j.find("faults");
  if (it == j.end() || !it->is_array()) {
    return ControlRejection{400,
                            "\"faults\" must be an array of fault specs (KIND[:key=value,...])"};
  }
  ControlAction action{.kind = ControlAction::Kind::kReplace};
  for (const nlohmann::json& item : *it) {
    if (!item.is_string()) return ControlRejection{400, "every fault must be a string"};
    core::Result<FaultSpec> spec = ParseFaultSpec(item.get<std::string>());
    if (!spec) return ControlRejection{400, spec.error().message};
    action.plan.push_back(*spec);
  }
  return action;
}

std::string UpstreamStatusJson(const UpstreamStatus& s) {
  nlohmann::json plan = nlohmann::json::array();
  for (const FaultSpec& f : s.plan) plan.push_back(FormatFaultSpec(f));
  const nlohmann::json j = {{"name", s.name},
                            {"source", s.source},
                            {"faults", plan},
                            {"plan_elapsed_s", s.plan_elapsed_s},
                            {"state",
                             {{"slow_factor", s.state.slow_factor},
                              {"error_rate", s.state.error_rate},
                              {"error_status", s.state.error_status},
                              {"crash", s.state.refuse},
                              {"hang", s.state.hang},
                              {"reset_rate", s.state.reset_rate}}},
                            {"served", s.served},
                            {"in_service", s.in_service},
                            {"queued", s.queued},
                            {"max_concurrency", s.max_concurrency}};
  return j.dump() + "\n";
}

std::string ControlErrorJson(std::string_view message) {
  return nlohmann::json{{"error", message}}.dump() + "\n";
}

}  // namespace huddle::proxy
