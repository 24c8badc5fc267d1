#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "proxy/fault_plan.h"

namespace huddle::proxy {

struct UpstreamOptions {
  std::string name = "upstream";
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port (see UpstreamServer::port())
  core::Duration latency{0};
  core::Duration jitter{0};  // uniform in [0, jitter], added to latency
  size_t body_bytes = 100;
  uint64_t seed = 1;
  std::vector<FaultSpec> faults;  // scripted, relative to Start()
  // At most this many requests are being served (hang, latency, response write) at once; the
  // others wait, in arrival order, once their request is read. 0: unlimited.
  size_t max_concurrency = 0;
  // The fault-control API (upstream_control.h) on 127.0.0.1 at this port (0: any free port, see
  // UpstreamServer::control_port()); none when absent. Loopback only whatever `host` is, and on a
  // port of its own so that it still answers while a crash fault has closed the serving port.
  std::optional<uint16_t> control_port;
};

// `huddle upstream`: a small, fast HTTP/1.1 keep-alive backend for tests, demos and benchmarks,
// with scriptable faults (slow, error, crash, hang, reset mid-body). One thread, one io_context.
//
// Routes: GET /healthz (200 "ok", subject to the same faults), /echo (echoes the request body,
// chunked when the request was chunked), /headers (returns the request head), /bytes/N (N bytes),
// /status/N, anything else: 200 with body_bytes bytes. Every response carries "x-upstream: NAME".
// With max_concurrency N > 0 it behaves like a server with N workers: a request read while N are
// in service waits in FIFO order, so latency grows once offered load exceeds N / latency.
//
// Faults come from the scripted plan (`faults`), from the control API (control_port), or from
// SetFault / SetFaultPlan; the newest source replaces the others.
//
// Thread safety: Start/Stop from one thread; SetFault, SetFaultPlan and the accessors from any
// thread.
class UpstreamServer {
 public:
  explicit UpstreamServer(UpstreamOptions options);
  ~UpstreamServer();
  UpstreamServer(const UpstreamServer&) = delete;
  UpstreamServer& operator=(const UpstreamServer&) = delete;

  // Binds (SO_REUSEADDR) and starts the thread. The scripted faults start counting now.
  core::Result<void> Start();
  void Stop();
  // Runs on the calling thread until Stop() or the stop flag is set (for the command).
  core::Result<void> Run(const std::atomic<bool>* stop_flag);

  uint16_t port() const { return port_.load(); }
  uint16_t control_port() const { return control_port_.load(); }  // 0 when there is none
  const std::string& name() const;
  // Overrides the scripted plan from now on (tests).
  void SetFault(const FaultState& state);
  // Replaces the plan as POST /faults does: `at` and `for` count from now.
  void SetFaultPlan(std::vector<FaultSpec> plan);
  uint64_t served() const { return served_.load(std::memory_order_relaxed); }
  uint64_t connections() const { return connections_.load(std::memory_order_relaxed); }
  // Requests being served right now, and requests waiting for a slot (max_concurrency).
  uint64_t in_service() const { return in_service_.load(std::memory_order_relaxed); }
  uint64_t queued() const { return queued_.load(std::memory_order_relaxed); }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::atomic<uint16_t> port_{0};
  std::atomic<uint16_t> control_port_{0};
  std::atomic<uint64_t> served_{0};
  std::atomic<uint64_t> connections_{0};
  std::atomic<uint64_t> in_service_{0};
  std::atomic<uint64_t> queued_{0};
};

}  // namespace huddle::proxy
