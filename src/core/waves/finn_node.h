#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/waves/wave_types.h"

namespace huddle::core {

// A message of Finn's wave: the sender's Inc and NInc sets (sorted) and the decision being spread.
struct FinnMessage {
  WaveId wave = 0;
  NodeId from = 0;
  NodeId to = 0;
  std::vector<NodeId> inc;
  std::vector<NodeId> ninc;
  std::string payload;
};

// One node of Finn's algorithm (Finn 1979; Tel, Introduction to Distributed Algorithms,
// Algorithm 6.9) on a strongly connected digraph with unique ids, as a message-driven state
// machine. Inc_p starts as {p}, NInc_p as {}. An initiator sends its sets to its out-neighbours.
// On each message from q (until Inc_p = NInc_p): merge both sets, mark q as heard; once every
// in-neighbour has been heard add p to NInc_p; if either set grew, send both to every
// out-neighbour. When Inc_p = NInc_p the node decides: every node then holds the payload, which
// is how huddle spreads a decision and learns that all nodes have it. Every node decides exactly
// once. Messages: at most 2 N |E| (each set grows at most N times). Several initiators may start
// the same wave. Not thread-safe.
class FinnNode {
 public:
  FinnNode(NodeId self, std::vector<NodeId> in, std::vector<NodeId> out)
      : self_(self), in_(std::move(in)), out_(std::move(out)) {}

  // Starts `wave` here with `payload`. Fails if this node is already active in the wave.
  Result<std::vector<FinnMessage>> Start(WaveId wave, std::string payload);
  std::vector<FinnMessage> OnMessage(const FinnMessage& message);

  bool Decided(WaveId wave) const;
  // How many times this node decided in `wave` (0 or 1; a test hook for "exactly once").
  int decisions(WaveId wave) const;
  // The payload received (or started with); nullptr before the node joined the wave.
  const std::string* Payload(WaveId wave) const;
  void Forget(WaveId wave) { waves_.erase(wave); }
  NodeId id() const { return self_; }

 private:
  struct WaveState {
    std::set<NodeId> inc;
    std::set<NodeId> ninc;
    std::vector<bool> heard;  // per in-neighbour, in in_ order
    std::string payload;
    int decisions = 0;
  };
  WaveState& Join(WaveId wave, const std::string& payload);
  void Send(WaveId wave, const WaveState& s, std::vector<FinnMessage>& out) const;
  // Adds self to NInc once all in-neighbours were heard; decides when the sets are equal.
  // Returns true if NInc grew.
  bool CloseAndCheck(WaveState& s);

  NodeId self_;
  std::vector<NodeId> in_;
  std::vector<NodeId> out_;
  std::map<WaveId, WaveState> waves_;
};

}  // namespace huddle::core
