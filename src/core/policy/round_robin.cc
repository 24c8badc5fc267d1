#include "core/policy/round_robin.h"

#include <algorithm>

#include "core/policy/table_slots.h"

namespace huddle::core {

Result<RoundRobinPolicy::Options> RoundRobinPolicy::ParseOptions(const OptionMap& options) {
  OptionReader reader(options, "round_robin");
  if (auto status = reader.Finish(); !status) return std::unexpected(status.error());
  return Options{};
}

Result<std::unique_ptr<Policy>> RoundRobinPolicy::Create(const OptionMap& options) {
  Result<Options> parsed = ParseOptions(options);
  if (!parsed) return std::unexpected(parsed.error());
  return std::make_unique<RoundRobinPolicy>(*parsed);
}

RoundRobinPolicy::RoundRobinPolicy() : RoundRobinPolicy(Options{}) {}

RoundRobinPolicy::RoundRobinPolicy(const Options& /*options*/) {}

void RoundRobinPolicy::Update(const RoutingTable& table) {
  const uint32_t slots = TableSlots(table);
  backends_.clear();
  for (const RoutingEntry& e : table.entries) backends_.push_back(e.backend);
  member_.assign(slots, 0);
  for (BackendIndex b : backends_) {
    if (b < member_.size()) member_[b] = 1;
  }
  if (last_ == kNoBackend) {
    next_ = 0;
  } else {
    // Entries are in ascending backend order: resume after the last backend picked.
    next_ = static_cast<size_t>(std::upper_bound(backends_.begin(), backends_.end(), last_) -
                                backends_.begin());
  }
}

std::optional<BackendIndex> RoundRobinPolicy::Pick(const PickContext& /*ctx*/) {
  if (backends_.empty()) return std::nullopt;
  if (next_ >= backends_.size()) next_ = 0;
  last_ = backends_[next_++];
  return last_;
}

void RoundRobinPolicy::ReportCluster(StatSink& sink) const {
  sink.Gauge("backends", static_cast<double>(backends_.size()));
}

void RoundRobinPolicy::ReportBackend(BackendIndex b, StatSink& sink) const {
  sink.Gauge("eligible", b < member_.size() && member_[b] ? 1.0 : 0.0);
}

}  // namespace huddle::core
