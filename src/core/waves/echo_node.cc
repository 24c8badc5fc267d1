#include "core/waves/echo_node.h"

#include <string>

namespace huddle::core {

Result<std::vector<EchoMessage>> EchoNode::Start(WaveId wave) {
  if (waves_.contains(wave)) return Fail("wave " + std::to_string(wave) + " already seen");
  WaveState& s = waves_[wave];
  s.initiator = true;
  s.gathered.push_back({self_, load_, capacity_});
  std::vector<EchoMessage> out;
  for (NodeId n : neighbors_) out.push_back({wave, self_, n, {}});
  MaybeFinish(wave, s, out);  // a lone node decides at once
  return out;
}

std::vector<EchoMessage> EchoNode::OnMessage(const EchoMessage& message) {
  std::vector<EchoMessage> out;
  auto [it, first] = waves_.try_emplace(message.wave);
  WaveState& s = it->second;
  if (s.done) return out;
  if (first) {
    s.father = message.from;
    s.gathered.push_back({self_, load_, capacity_});
    for (NodeId n : neighbors_) {
      if (n != message.from) out.push_back({message.wave, self_, n, {}});
    }
  }
  ++s.received;
  s.gathered.insert(s.gathered.end(), message.reports.begin(), message.reports.end());
  MaybeFinish(message.wave, s, out);
  return out;
}

void EchoNode::MaybeFinish(WaveId wave, WaveState& s, std::vector<EchoMessage>& out) {
  if (s.received < neighbors_.size()) return;
  s.done = true;
  if (s.initiator) return;  // decide
  out.push_back({wave, self_, *s.father, std::move(s.gathered)});
  s.gathered.clear();
}

bool EchoNode::Decided(WaveId wave) const {
  const auto it = waves_.find(wave);
  return it != waves_.end() && it->second.initiator && it->second.done;
}

bool EchoNode::Finished(WaveId wave) const {
  const auto it = waves_.find(wave);
  return it != waves_.end() && !it->second.initiator && it->second.done;
}

std::optional<NodeId> EchoNode::Father(WaveId wave) const {
  const auto it = waves_.find(wave);
  return it == waves_.end() ? std::nullopt : it->second.father;
}

const std::vector<NodeLoad>* EchoNode::Gathered(WaveId wave) const {
  return Decided(wave) ? &waves_.at(wave).gathered : nullptr;
}

}  // namespace huddle::core
