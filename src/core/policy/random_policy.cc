#include "core/policy/random_policy.h"

#include <algorithm>

#include "core/policy/table_slots.h"

namespace huddle::core {

Result<RandomPolicy::Options> RandomPolicy::ParseOptions(const OptionMap& options) {
  OptionReader reader(options, "random");
  if (auto status = reader.Finish(); !status) return std::unexpected(status.error());
  return Options{};
}

Result<std::unique_ptr<Policy>> RandomPolicy::Create(const OptionMap& options) {
  Result<Options> parsed = ParseOptions(options);
  if (!parsed) return std::unexpected(parsed.error());
  return std::make_unique<RandomPolicy>(*parsed);
}

RandomPolicy::RandomPolicy() : RandomPolicy(Options{}) {}

RandomPolicy::RandomPolicy(const Options& /*options*/) {}

void RandomPolicy::Update(const RoutingTable& table) {
  backends_.clear();
  cumulative_.clear();
  double total = 0.0;
  for (const RoutingEntry& e : table.entries) {
    backends_.push_back(e.backend);
    total += e.weight;
    cumulative_.push_back(total);
  }
  uniform_ = table.AllWeightsEqual();
  probability_by_slot_.assign(TableSlots(table), 0.0);
  for (const RoutingEntry& e : table.entries) probability_by_slot_[e.backend] += e.weight / total;
}

std::optional<BackendIndex> RandomPolicy::Pick(const PickContext& ctx) {
  const size_t n = backends_.size();
  if (n == 0) return std::nullopt;
  if (uniform_) return backends_[ctx.rng.Below(n)];
  const double target = ctx.rng.UnitDouble() * cumulative_.back();
  // First entry whose cumulative weight exceeds the target: entry i covers
  // [cumulative_[i-1], cumulative_[i]).
  const size_t i = static_cast<size_t>(
      std::upper_bound(cumulative_.begin(), cumulative_.end(), target) - cumulative_.begin());
  return backends_[std::min(i, n - 1)];  // min() guards target rounding up to the total
}

void RandomPolicy::ReportCluster(StatSink& sink) const {
  sink.Gauge("backends", static_cast<double>(backends_.size()));
}

void RandomPolicy::ReportBackend(BackendIndex b, StatSink& sink) const {
  sink.Gauge("probability", b < probability_by_slot_.size() ? probability_by_slot_[b] : 0.0);
}

}  // namespace huddle::core
