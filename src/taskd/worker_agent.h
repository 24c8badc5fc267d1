#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "taskd/http_client.h"
#include "taskd/protocol.h"
#include "taskd/task_executor.h"
#include "taskd/usage_probe.h"

namespace huddle::taskd {

struct WorkerAgentOptions {
  std::string coordinator_url;  // http://host:port
  std::string token;
  WorkerProfile profile;
  core::Duration poll_interval{};  // 0 = what the coordinator says at registration
  core::Duration request_timeout = std::chrono::seconds(2);
  // Without a successful poll for this long the worker stops its tasks itself (fencing), so
  // that it is never running a task the coordinator has already requeued elsewhere. Keep it
  // below the coordinator's heartbeat_timeout.
  core::Duration fence_after = std::chrono::seconds(3);
  TaskExecutor::Options executor;
  UsageSource usage = UsageSource::kModel;
};

// The worker process's agent: registers with the coordinator, then polls it (heartbeat with
// utilisation, running tasks and reports; commands back) from its own thread, and runs the
// commands through a TaskExecutor. When the coordinator answers "lost", or after `fence_after`
// without contact, it stops every task and registers again under a new id.
// Overlay mode: `on_overlay` receives the neighbours and wave requests from each poll.
// Start/Stop from one thread.
class WorkerAgent {
 public:
  using OverlayHook =
      std::function<void(core::WorkerId self, const std::vector<OverlayNeighbor>&, uint64_t wave)>;

  explicit WorkerAgent(WorkerAgentOptions options);
  ~WorkerAgent();
  WorkerAgent(const WorkerAgent&) = delete;
  WorkerAgent& operator=(const WorkerAgent&) = delete;

  core::Result<void> Start();
  void Stop();
  void SetOverlayHook(OverlayHook hook) { overlay_hook_ = std::move(hook); }

  // The current registration (0 while unregistered).
  core::WorkerId id() const { return id_.load(); }
  uint64_t registrations() const { return registrations_.load(); }
  TaskExecutor& executor() { return executor_; }
  // The usage the next heartbeat reports (model or system).
  core::WorkerUsage CurrentUsage(const TaskExecutor::Snapshot& snapshot);

 private:
  void Loop();
  bool Register();
  bool PollOnce();

  const WorkerAgentOptions options_;
  HttpUrl url_;
  TaskExecutor executor_;
  UsageProbe probe_;
  OverlayHook overlay_hook_;
  std::atomic<bool> stop_{false};
  std::atomic<core::WorkerId> id_{0};
  std::atomic<uint64_t> registrations_{0};
  core::Duration poll_interval_{};
  uint64_t last_command_ = 0;
  // The secret of the current registration, kept after fencing: registering again under the
  // same name presents it to take the name over from the stale registration.
  std::string secret_;
  core::TimePoint last_contact_{};
  std::thread thread_;
};

}  // namespace huddle::taskd
