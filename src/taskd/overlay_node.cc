#include "taskd/overlay_node.h"

#include <fmt/format.h>

#include "core/waves/rebalance_plan.h"
#include "taskd/worker_agent.h"

namespace huddle::taskd {
namespace {

using nlohmann::json;

std::vector<NodeId> Neighbors(const Topology& t, NodeId self) {
  const auto n = t.graph.neighbors(self);
  return std::vector<NodeId>(n.begin(), n.end());
}

constexpr size_t kWavesKept = 32;
constexpr int kMaxAttempts = 50;  // about 5 s of retries at 100 ms

}  // namespace

json EchoToJson(const core::EchoMessage& m) {
  json reports = json::array();
  for (const core::NodeLoad& l : m.reports) reports.push_back({l.node, l.load, l.capacity});
  return {{"algo", "echo"}, {"wave", m.wave}, {"from", m.from}, {"to", m.to}, {"reports", reports}};
}

json FinnToJson(const core::FinnMessage& m) {
  return {{"algo", "finn"}, {"wave", m.wave}, {"from", m.from},      {"to", m.to},
          {"inc", m.inc},   {"ninc", m.ninc}, {"payload", m.payload}};
}

OverlayNode::OverlayNode(Topology topology, std::string node, std::string coordinator_url,
                         std::string token)
    : topology_(std::move(topology)),
      self_(topology_.Find(node).value_or(0)),
      token_(std::move(token)),
      echo_(self_, Neighbors(topology_, self_)),
      finn_(self_, Neighbors(topology_, self_), Neighbors(topology_, self_)) {
  auto url = ParseHttpUrl(coordinator_url);
  if (url) coordinator_ = *url;
}

OverlayNode::~OverlayNode() { Stop(); }

core::Result<std::string> OverlayNode::Start(const std::string& host, uint16_t port) {
  server_ = std::make_unique<HttpServer>([this](const HttpRequest& r) -> HttpResponse {
    if (r.method != "POST" || r.path != "/wave") {
      return HttpResponse{.status = 404, .body = R"({"error":"no such endpoint"})"};
    }
    const json j = json::parse(r.body, nullptr, false);
    if (j.is_discarded()) return HttpResponse{.status = 400, .body = R"({"error":"not JSON"})"};
    auto s = OnMessage(j);
    if (!s) return HttpResponse{.status = 400, .body = json{{"error", s.error().message}}.dump()};
    return HttpResponse{.body = R"({"ok":true})"};
  });
  auto bound = server_->Start(host, port);
  if (!bound) return std::unexpected(bound.error());
  sender_ = std::thread([this] { SenderLoop(); });
  return fmt::format("http://{}:{}", host, *bound);
}

void OverlayNode::Attach(WorkerAgent& agent) {
  agent_ = &agent;
  agent.SetOverlayHook(
      [this](core::WorkerId, const std::vector<OverlayNeighbor>& neighbors, uint64_t wave) {
        std::vector<std::pair<std::string, std::string>> urls;
        for (const OverlayNeighbor& n : neighbors) urls.emplace_back(n.node, n.url);
        OnPoll(urls, wave);
      });
}

void OverlayNode::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  queued_.notify_all();
  if (sender_.joinable()) sender_.join();
  if (server_) server_->Stop();
}

void OverlayNode::RefreshLoadLocked() {
  if (agent_ == nullptr) return;
  const auto running = agent_->executor().RunningTasks();
  echo_.SetLoad(static_cast<int64_t>(running.size()), agent_->executor().slots());
}

void OverlayNode::OnPoll(const std::vector<std::pair<std::string, std::string>>& neighbor_urls,
                         uint64_t start_wave) {
  std::lock_guard lock(mutex_);
  for (const auto& [node, url] : neighbor_urls) {
    auto parsed = ParseHttpUrl(url);
    if (parsed) neighbor_urls_[node] = *parsed;
  }
  if (!neighbor_urls_.empty()) queued_.notify_all();
  if (start_wave == 0 || self_ != topology_.initiator) return;
  RefreshLoadLocked();
  auto messages = echo_.Start(start_wave);
  if (!messages) return;
  waves_[start_wave];
  SendEchoLocked(*messages);
  AfterMessageLocked(start_wave);
  ForgetOldWavesLocked();
}

core::Result<void> OverlayNode::OnMessage(const json& j) {
  try {
    const std::string algo = j.at("algo").get<std::string>();
    const core::WaveId wave = j.at("wave").get<core::WaveId>();
    const NodeId from = j.at("from").get<NodeId>();
    const NodeId to = j.at("to").get<NodeId>();
    if (to != self_) return core::Fail("message addressed to another node");
    if (from >= topology_.names.size() || !topology_.graph.HasEdge(from, self_)) {
      return core::Fail("message from a node that is not a neighbour");
    }
    std::lock_guard lock(mutex_);
    waves_[wave];
    if (algo == "echo") {
      core::EchoMessage m{.wave = wave, .from = from, .to = to};
      for (const json& r : j.at("reports")) {
        m.reports.push_back(
            {r.at(0).get<NodeId>(), r.at(1).get<int64_t>(), r.at(2).get<int64_t>()});
      }
      RefreshLoadLocked();
      SendEchoLocked(echo_.OnMessage(m));
    } else if (algo == "finn") {
      core::FinnMessage m{.wave = wave,
                          .from = from,
                          .to = to,
                          .inc = j.at("inc").get<std::vector<NodeId>>(),
                          .ninc = j.at("ninc").get<std::vector<NodeId>>(),
                          .payload = j.at("payload").get<std::string>()};
      SendFinnLocked(finn_.OnMessage(m));
    } else {
      return core::Fail("unknown algorithm '" + algo + "'");
    }
    AfterMessageLocked(wave);
    ForgetOldWavesLocked();
    return {};
  } catch (const json::exception& e) {
    return core::Fail(std::string("bad wave message: ") + e.what());
  }
}

void OverlayNode::AfterMessageLocked(core::WaveId wave) {
  WaveStats& stats = waves_[wave];
  // Initiator: the Echo has decided, so plan and spread the plan with Finn.
  if (self_ == topology_.initiator && !stats.planned && echo_.Decided(wave)) {
    stats.planned = true;
    const std::vector<core::NodeLoad>* loads = echo_.Gathered(wave);
    json loads_json = json::array();
    std::vector<core::NodeLoad> copy;
    if (loads != nullptr) copy = *loads;
    for (const core::NodeLoad& l : copy) {
      loads_json.push_back(
          {{"node", topology_.names[l.node]}, {"load", l.load}, {"capacity", l.capacity}});
    }
    json plan = json::array();
    for (const core::Transfer& t : core::PlanRebalance(copy)) {
      plan.push_back({{"from", t.from}, {"to", t.to}, {"tasks", t.tasks}});
    }
    stats.plan = {{"loads", loads_json}, {"plan", plan}};
    auto messages = finn_.Start(wave, json{{"plan", plan}}.dump());
    if (messages) SendFinnLocked(*messages);
  }
  // Any node holding the plan: request its own moves once.
  const std::string* payload = finn_.Payload(wave);
  if (payload != nullptr && !stats.acted) {
    stats.acted = true;
    const json p = json::parse(*payload, nullptr, false);
    std::vector<core::TaskId> mine =
        agent_ != nullptr ? agent_->executor().RunningTasks() : std::vector<core::TaskId>{};
    size_t next = 0;
    int requested = 0;
    if (!p.is_discarded()) {
      for (const json& t : p.value("plan", json::array())) {
        if (t.value("from", NodeId{0}) != self_) continue;
        const NodeId to = t.value("to", NodeId{0});
        for (int64_t k = 0; k < t.value("tasks", int64_t{0}) && next < mine.size(); ++k) {
          outgoing_.push_back(
              Outgoing{.node = "",
                       .target = fmt::format("/api/tasks/{}/migrate", mine[next++]),
                       .body = json{{"target_node", topology_.names.at(to)}}.dump()});
          ++requested;
        }
      }
    }
    stats.plan["moves_requested"] = requested;
    queued_.notify_all();
  }
  // Finn decided here: every node holds the plan. Report this node's part of the wave.
  if (finn_.Decided(wave) && !stats.reported) {
    stats.reported = true;
    const auto father = echo_.Father(wave);
    json report = {{"wave", wave},
                   {"node", topology_.names[self_]},
                   {"initiator", self_ == topology_.initiator},
                   {"father", father ? json(topology_.names[*father]) : json(nullptr)},
                   {"echo_sent", stats.echo_sent},
                   {"finn_sent", stats.finn_sent},
                   {"moves_requested", stats.plan.value("moves_requested", 0)}};
    if (self_ == topology_.initiator) {
      report["loads"] = stats.plan.value("loads", json::array());
      json plan = json::array();
      for (const json& t : stats.plan.value("plan", json::array())) {
        plan.push_back({{"from", topology_.names.at(t["from"].get<NodeId>())},
                        {"to", topology_.names.at(t["to"].get<NodeId>())},
                        {"tasks", t["tasks"]}});
      }
      report["plan"] = plan;
      report["edges"] = topology_.graph.edges();
      report["nodes"] = topology_.names.size();
    }
    outgoing_.push_back(Outgoing{.node = "", .target = "/api/waves", .body = report.dump()});
    queued_.notify_all();
  }
}

void OverlayNode::SendEchoLocked(const std::vector<core::EchoMessage>& messages) {
  for (const core::EchoMessage& m : messages) {
    ++waves_[m.wave].echo_sent;
    outgoing_.push_back(Outgoing{
        .node = topology_.names.at(m.to), .target = "/wave", .body = EchoToJson(m).dump()});
  }
  if (!messages.empty()) queued_.notify_all();
}

void OverlayNode::SendFinnLocked(const std::vector<core::FinnMessage>& messages) {
  for (const core::FinnMessage& m : messages) {
    ++waves_[m.wave].finn_sent;
    outgoing_.push_back(Outgoing{
        .node = topology_.names.at(m.to), .target = "/wave", .body = FinnToJson(m).dump()});
  }
  if (!messages.empty()) queued_.notify_all();
}

void OverlayNode::ForgetOldWavesLocked() {
  while (waves_.size() > kWavesKept) {
    const core::WaveId oldest = waves_.begin()->first;
    echo_.Forget(oldest);
    finn_.Forget(oldest);
    waves_.erase(waves_.begin());
  }
}

void OverlayNode::SenderLoop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    // The first message whose destination is known; messages to one neighbour keep their order.
    auto it = outgoing_.begin();
    std::set<std::string> blocked;
    for (; it != outgoing_.end(); ++it) {
      if (blocked.contains(it->node)) continue;
      if (it->node.empty() || neighbor_urls_.contains(it->node)) break;
      blocked.insert(it->node);
    }
    if (it == outgoing_.end()) {
      queued_.wait_for(lock, std::chrono::milliseconds(100));
      continue;
    }
    Outgoing out = *it;
    const HttpUrl url = out.node.empty() ? coordinator_ : neighbor_urls_[out.node];
    lock.unlock();
    auto r = HttpCall(url, "POST", out.target, out.body, out.node.empty() ? token_ : "",
                      std::chrono::seconds(2));
    const bool delivered = r && r->status < 500;
    lock.lock();
    // The message is still at the front of its link (only this thread removes messages).
    for (auto j = outgoing_.begin(); j != outgoing_.end(); ++j) {
      if (j->node == out.node && j->target == out.target && j->body == out.body) {
        if (delivered || ++j->attempts >= kMaxAttempts) {
          outgoing_.erase(j);
        } else {
          queued_.wait_for(lock, std::chrono::milliseconds(100));
        }
        break;
      }
    }
  }
}

}  // namespace huddle::taskd
