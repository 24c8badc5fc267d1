#include "taskd/coordinator_service.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "common/http/auth.h"
#include "taskd/topology.h"

namespace huddle::taskd {
namespace {

core::TimePoint Now() { return std::chrono::steady_clock::now(); }

}  // namespace

CoordinatorService::CoordinatorService(CoordinatorConfig config) : config_(std::move(config)) {}

CoordinatorService::~CoordinatorService() { Stop(); }

std::string CoordinatorService::url() const {
  return fmt::format("http://{}:{}", config_.listen_host, port_);
}

core::Result<uint16_t> CoordinatorService::Start() {
  auto token = http::ResolveStartToken(config_.token, config_.listen_host, "tasks coordinator");
  if (!token) return std::unexpected(token.error());
  token_ = token->token;
  CoordinatorOptions options = config_.coordinator;
  std::optional<Topology> topology;
  if (!config_.topology.empty()) {
    auto t = LoadTopology(config_.topology);
    if (!t) return std::unexpected(t.error());
    topology = std::move(*t);
    options.planner.enable_task_migration = false;  // the waves decide in overlay mode
  }
  if (!config_.history.empty()) {
    auto h = HistoryStore::Open(config_.history);
    if (!h) return core::Fail("history " + config_.history + ": " + h.error().message);
    history_ = std::move(*h);
  }
  coordinator_ = std::make_unique<Coordinator>(options, Now());
  if (topology) {
    std::map<std::string, std::vector<std::string>> neighbors;
    for (NodeId n = 0; n < topology->names.size(); ++n) {
      auto& list = neighbors[topology->names[n]];
      for (NodeId m : topology->graph.neighbors(n)) list.push_back(topology->names[m]);
    }
    coordinator_->SetOverlay(std::move(neighbors), topology->names[topology->initiator]);
  }
  api_ = std::make_unique<CoordinatorApi>(
      *coordinator_, [] { return Now(); },
      http::AuthPolicy{.token = token_,
                       .listen_host = config_.listen_host,
                       .allowed_hosts = config_.allowed_hosts});
  server_ = std::make_unique<HttpServer>([this](const HttpRequest& r) { return api_->Handle(r); });
  auto port = server_->Start(config_.listen_host, config_.listen_port);
  if (!port) return port;
  port_ = *port;
  if (token->generated) {
    auto file = http::WriteTokenFile("tasks", port_, token_);
    if (!file) {
      server_->Stop();
      return std::unexpected(file.error());
    }
    token_file_ = *file;
  }
  {
    std::lock_guard lock(mutex_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
  return port_;
}

void CoordinatorService::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (server_) server_->Stop();
  if (!token_file_.empty()) {
    std::error_code ignored;
    std::filesystem::remove(token_file_, ignored);  // the token dies with this coordinator
    token_file_.clear();
  }
}

void CoordinatorService::Loop() {
  core::TimePoint next_check = Now() + config_.check_interval;
  core::TimePoint next_wave = Now() + config_.wave_interval;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, config_.tick_interval, [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    const core::TimePoint now = Now();
    coordinator_->Tick(now);
    if (now >= next_check) {
      next_check = now + config_.check_interval;
      const BalanceRecord record = coordinator_->Balance(now);
      ++rounds_;
      if (history_) {
        auto s =
            history_->Record(record, config_.coordinator.planner, std::chrono::system_clock::now());
        if (s) {
          ++history_rows_;
        } else {
          ++history_errors_;
          std::cerr << "taskd: history write failed: " << s.error().message << "\n";
        }
      }
    }
    if (!config_.topology.empty() && now >= next_wave) {
      next_wave = now + config_.wave_interval;
      (void)coordinator_->RequestWave(now);  // fails quietly until the initiator registers
    }
    lock.lock();
  }
}

}  // namespace huddle::taskd
