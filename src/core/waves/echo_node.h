#pragma once

#include <map>
#include <optional>
#include <vector>

#include "core/error.h"
#include "core/waves/wave_types.h"

namespace huddle::core {

// A token of the Echo wave. Tokens to a node's father carry the reports gathered in the sender's
// subtree; all other tokens carry none.
struct EchoMessage {
  WaveId wave = 0;
  NodeId from = 0;
  NodeId to = 0;
  std::vector<NodeLoad> reports;
};

// One node of the Echo algorithm (Segall 1983; Tel, Introduction to Distributed Algorithms,
// Algorithm 6.5) as a message-driven state machine: message in, messages out, no I/O, no threads.
// The initiator sends a token to every neighbour; a non-initiator takes the sender of its first
// token as its father and sends a token to every other neighbour; a node that has received a
// token from every neighbour sends one to its father (with its subtree's reports), and the
// initiator then decides, holding every node's report. On a connected undirected graph a wave
// costs exactly 2|E| messages and the father pointers form a spanning tree rooted at the
// initiator. Each wave has one initiator. Not thread-safe.
class EchoNode {
 public:
  // REQUIRES: neighbors are distinct and exclude self.
  EchoNode(NodeId self, std::vector<NodeId> neighbors)
      : self_(self), neighbors_(std::move(neighbors)) {}

  // The report this node contributes to waves that reach it from now on.
  void SetLoad(int64_t load, int64_t capacity) {
    load_ = load;
    capacity_ = capacity;
  }

  // Starts `wave` with this node as initiator. Fails if the wave is already known here.
  Result<std::vector<EchoMessage>> Start(WaveId wave);
  // Handles a token addressed to this node. Tokens of a finished wave are ignored.
  std::vector<EchoMessage> OnMessage(const EchoMessage& message);

  // Initiator only: true once every neighbour has answered.
  bool Decided(WaveId wave) const;
  // Non-initiators: true once the token to the father has been sent.
  bool Finished(WaveId wave) const;
  // The father (nullopt at the initiator or before the first token).
  std::optional<NodeId> Father(WaveId wave) const;
  // The initiator's gathered reports, one per node, once decided; nullptr otherwise.
  const std::vector<NodeLoad>* Gathered(WaveId wave) const;
  // Drops the state of a wave (after use).
  void Forget(WaveId wave) { waves_.erase(wave); }
  size_t waves_held() const { return waves_.size(); }
  NodeId id() const { return self_; }

 private:
  struct WaveState {
    bool initiator = false;
    std::optional<NodeId> father;
    size_t received = 0;
    bool done = false;
    std::vector<NodeLoad> gathered;
  };
  // Sends to the father or decides once every neighbour has been heard.
  void MaybeFinish(WaveId wave, WaveState& s, std::vector<EchoMessage>& out);

  NodeId self_;
  std::vector<NodeId> neighbors_;
  int64_t load_ = 0;
  int64_t capacity_ = 0;
  std::map<WaveId, WaveState> waves_;
};

}  // namespace huddle::core
