#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/error.h"
#include "taskd/coordinator.h"
#include "taskd/coordinator_api.h"
#include "taskd/coordinator_config.h"
#include "taskd/history_store.h"
#include "taskd/http_server.h"

namespace huddle::taskd {

// `huddle tasks coordinator`: the Coordinator behind its HTTP API, plus the control thread that
// ticks it (heartbeat and protocol timeouts, scheduling) every tick_interval, runs a balancing
// round every check_interval and writes it to the history, and in overlay mode asks the
// initiator for a wave every wave_interval (central migrations are then off: the waves decide).
// Start/Stop from one thread.
class CoordinatorService {
 public:
  explicit CoordinatorService(CoordinatorConfig config);
  ~CoordinatorService();
  CoordinatorService(const CoordinatorService&) = delete;
  CoordinatorService& operator=(const CoordinatorService&) = delete;

  // Opens the history, loads the topology, settles the token (http::ResolveStartToken: a
  // non-loopback listen without a token, or `token: none` off loopback, is refused), binds the
  // listener and, for a generated token, writes the token file; returns the bound port.
  core::Result<uint16_t> Start();
  void Stop();

  Coordinator& coordinator() { return *coordinator_; }
  std::string url() const;
  // The bearer token in force (empty with `token: none`) and, when it was generated, its file.
  const std::string& token() const { return token_; }
  const std::string& token_file() const { return token_file_; }
  uint64_t history_rows() const { return history_rows_.load(); }
  uint64_t history_errors() const { return history_errors_.load(); }
  uint64_t rounds() const { return rounds_.load(); }

 private:
  void Loop();

  CoordinatorConfig config_;
  std::unique_ptr<Coordinator> coordinator_;
  std::unique_ptr<CoordinatorApi> api_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HistoryStore> history_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
  uint16_t port_ = 0;
  std::string token_;
  std::string token_file_;
  std::atomic<uint64_t> history_rows_{0};
  std::atomic<uint64_t> history_errors_{0};
  std::atomic<uint64_t> rounds_{0};
};

}  // namespace huddle::taskd
