#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/waves/echo_node.h"
#include "core/waves/finn_node.h"
#include "taskd/http_client.h"
#include "taskd/http_server.h"
#include "taskd/topology.h"

namespace huddle::taskd {

class WorkerAgent;

// Overlay mode on a worker: its node of the overlay graph, running the Echo and Finn state
// machines of core/waves over HTTP between worker processes (POST /wave on each worker's own
// small server; one sender thread keeps each link's messages in order and retries them).
// A balancing wave, started by the coordinator on the initiator node:
//   1. Echo (Tel 6.5) gathers every node's load (running tasks) and capacity (task slots) to the
//      initiator over 2|E| messages, building a spanning tree (each node's father);
//   2. the initiator plans moves from the most to the least loaded (core::PlanRebalance);
//   3. Finn (Tel 6.9, on the graph's symmetric digraph) spreads the plan; each node, as soon as
//      it holds the plan, asks the coordinator to migrate its share of tasks (through the
//      migration protocol, so nothing is lost or run twice), and reports to the coordinator when
//      it decides (Finn: then every node has the plan).
// Every message carries the wave id; the state machines keep separate state per wave.
// Thread-safe.
class OverlayNode {
 public:
  OverlayNode(Topology topology, std::string node, std::string coordinator_url, std::string token);
  ~OverlayNode();
  OverlayNode(const OverlayNode&) = delete;
  OverlayNode& operator=(const OverlayNode&) = delete;

  // Starts the wave server on host:port (0 = any free port); returns its URL for neighbours.
  core::Result<std::string> Start(const std::string& host, uint16_t port);
  // Connects to the worker agent: its polls deliver neighbours and wave requests, its executor
  // gives the load and the tasks to move.
  void Attach(WorkerAgent& agent);
  void Stop();

  // Called from the agent's poll (also usable directly in tests).
  void OnPoll(const std::vector<std::pair<std::string, std::string>>& neighbor_urls,
              uint64_t start_wave);
  // Handles one wave message (the body of POST /wave).
  core::Result<void> OnMessage(const nlohmann::json& message);

 private:
  struct Outgoing {
    std::string node;    // neighbour to send to ("" = the coordinator)
    std::string target;  // path
    std::string body;
    int attempts = 0;
  };
  struct WaveStats {
    size_t echo_sent = 0;
    size_t finn_sent = 0;
    bool acted = false;     // this node's moves were requested
    bool reported = false;  // decided and reported to the coordinator
    bool planned = false;   // initiator: Finn started
    nlohmann::json plan;
  };

  void SendEchoLocked(const std::vector<core::EchoMessage>& messages);
  void SendFinnLocked(const std::vector<core::FinnMessage>& messages);
  void AfterMessageLocked(core::WaveId wave);
  void RefreshLoadLocked();
  void SenderLoop();
  void ForgetOldWavesLocked();

  const Topology topology_;
  const NodeId self_;
  const std::string token_;
  HttpUrl coordinator_;
  std::unique_ptr<HttpServer> server_;
  WorkerAgent* agent_ = nullptr;

  std::mutex mutex_;
  std::condition_variable queued_;
  core::EchoNode echo_;                           // GUARDED_BY(mutex_)
  core::FinnNode finn_;                           // GUARDED_BY(mutex_)
  std::map<std::string, HttpUrl> neighbor_urls_;  // GUARDED_BY(mutex_)
  std::map<core::WaveId, WaveStats> waves_;       // GUARDED_BY(mutex_)
  std::deque<Outgoing> outgoing_;                 // GUARDED_BY(mutex_)
  bool stop_ = false;                             // GUARDED_BY(mutex_)
  std::thread sender_;
};

// The wire form of the wave messages.
nlohmann::json EchoToJson(const core::EchoMessage& m);
nlohmann::json FinnToJson(const core::FinnMessage& m);

}  // namespace huddle::taskd
