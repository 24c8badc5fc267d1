#include "core/waves/finn_node.h"

#include <algorithm>
#include <string>

namespace huddle::core {

FinnNode::WaveState& FinnNode::Join(WaveId wave, const std::string& payload) {
  WaveState& s = waves_[wave];
  s.inc.insert(self_);
  s.heard.assign(in_.size(), false);
  s.payload = payload;
  return s;
}

Result<std::vector<FinnMessage>> FinnNode::Start(WaveId wave, std::string payload) {
  if (waves_.contains(wave)) return Fail("node already active in wave " + std::to_string(wave));
  WaveState& s = Join(wave, payload);
  CloseAndCheck(s);  // only a node without in-neighbours (a lone node) closes here
  std::vector<FinnMessage> out;
  Send(wave, s, out);
  if (s.inc == s.ninc) ++s.decisions;
  return out;
}

std::vector<FinnMessage> FinnNode::OnMessage(const FinnMessage& message) {
  std::vector<FinnMessage> out;
  auto it = waves_.find(message.wave);
  WaveState& s = it != waves_.end() ? it->second : Join(message.wave, message.payload);
  if (s.decisions > 0) return out;  // the loop "while Inc != NInc" has ended
  const size_t inc_before = s.inc.size();
  const size_t ninc_before = s.ninc.size();
  // A node joining the wave has not sent its {p} yet: that counts as a change (Inc_p grows from
  // {p} with the sender's ids).
  const bool joined = it == waves_.end();
  s.inc.insert(message.inc.begin(), message.inc.end());
  s.ninc.insert(message.ninc.begin(), message.ninc.end());
  const auto q = std::find(in_.begin(), in_.end(), message.from);
  if (q != in_.end()) s.heard[q - in_.begin()] = true;
  CloseAndCheck(s);
  if (joined || s.inc.size() != inc_before || s.ninc.size() != ninc_before) {
    Send(message.wave, s, out);
  }
  if (s.inc == s.ninc) ++s.decisions;
  return out;
}

bool FinnNode::CloseAndCheck(WaveState& s) {
  if (std::all_of(s.heard.begin(), s.heard.end(), [](bool h) { return h; })) {
    return s.ninc.insert(self_).second;
  }
  return false;
}

void FinnNode::Send(WaveId wave, const WaveState& s, std::vector<FinnMessage>& out) const {
  std::vector<NodeId> inc(s.inc.begin(), s.inc.end());
  std::vector<NodeId> ninc(s.ninc.begin(), s.ninc.end());
  for (NodeId r : out_) out.push_back({wave, self_, r, inc, ninc, s.payload});
}

bool FinnNode::Decided(WaveId wave) const { return decisions(wave) > 0; }

int FinnNode::decisions(WaveId wave) const {
  const auto it = waves_.find(wave);
  return it == waves_.end() ? 0 : it->second.decisions;
}

const std::string* FinnNode::Payload(WaveId wave) const {
  const auto it = waves_.find(wave);
  return it == waves_.end() ? nullptr : &it->second.payload;
}

}  // namespace huddle::core
