#include "taskd/worker_agent.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace huddle::taskd {
namespace {

core::TimePoint Now() { return std::chrono::steady_clock::now(); }

}  // namespace

WorkerAgent::WorkerAgent(WorkerAgentOptions options)
    : options_(std::move(options)), executor_(options_.executor) {}

WorkerAgent::~WorkerAgent() { Stop(); }

core::Result<void> WorkerAgent::Start() {
  auto url = ParseHttpUrl(options_.coordinator_url);
  if (!url) return std::unexpected(url.error());
  url_ = *url;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
  return {};
}

void WorkerAgent::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

core::WorkerUsage WorkerAgent::CurrentUsage(const TaskExecutor::Snapshot& snapshot) {
  if (options_.usage == UsageSource::kSystem) return probe_.Read();
  core::WorkerUsage u;
  u.cpu = std::min(1.0, snapshot.cores_busy / std::max(1, options_.profile.cores));
  u.memory = std::min(1.0, snapshot.memory_gb / std::max(1e-9, options_.profile.memory_gb));
  return u;
}

bool WorkerAgent::Register() {
  HttpHeaders headers;
  if (!secret_.empty()) headers.emplace_back("X-Worker-Secret", secret_);
  auto r = HttpCall(url_, "POST", "/api/workers/register", ToJson(options_.profile).dump(),
                    options_.token, options_.request_timeout, headers);
  if (!r || r->status != 201) return false;
  const auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("worker_id") || !j["worker_id"].is_number_unsigned() ||
      !j.contains("worker_secret") || !j["worker_secret"].is_string()) {
    return false;
  }
  secret_ = j["worker_secret"].get<std::string>();
  poll_interval_ = options_.poll_interval;
  if (poll_interval_ == core::Duration::zero()) {
    poll_interval_ = core::FromMillis(j.value("heartbeat_interval_ms", 1000.0));
  }
  last_command_ = 0;
  last_contact_ = Now();
  id_ = j["worker_id"].get<core::WorkerId>();
  ++registrations_;
  return true;
}

bool WorkerAgent::PollOnce() {
  TaskExecutor::Snapshot snapshot = executor_.Take();
  PollRequest request;
  request.command_ack = last_command_;
  request.usage = CurrentUsage(snapshot);
  request.running = std::move(snapshot.running);
  request.reports = std::move(snapshot.reports);
  auto r = HttpCall(url_, "POST", fmt::format("/api/workers/{}/poll", id_.load()),
                    ToJson(request).dump(), options_.token, options_.request_timeout,
                    {{"X-Worker-Secret", secret_}});
  if (!r || r->status != 200) return false;
  const auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return false;
  auto response = PollResponseFromJson(j);
  if (!response) return false;
  last_contact_ = Now();
  if (response->lost) {
    executor_.StopAll();
    id_ = 0;
    return true;
  }
  executor_.Acknowledge(response->report_ack);
  for (const WorkerCommand& c : response->commands) {
    if (c.seq <= last_command_) continue;  // applied before; its ack was lost
    if (c.kind == core::TaskCommand::Kind::kStart) {
      executor_.Start(c.task, c.attempt, c.spec);
    } else {
      executor_.Cancel(c.task, c.attempt);
    }
    last_command_ = c.seq;
  }
  if (overlay_hook_ && (!response->neighbors.empty() || response->start_wave != 0)) {
    overlay_hook_(id_.load(), response->neighbors, response->start_wave);
  }
  return true;
}

void WorkerAgent::Loop() {
  while (!stop_) {
    if (id_ == 0) {
      if (!Register()) {
        executor_.WaitForReport(std::chrono::milliseconds(200));
        continue;
      }
    }
    if (!PollOnce() && Now() - last_contact_ > options_.fence_after) {
      executor_.StopAll();  // fence: the coordinator will requeue what ran here
      id_ = 0;
    }
    if (!stop_ && id_ != 0) executor_.WaitForReport(poll_interval_);
  }
}

}  // namespace huddle::taskd
