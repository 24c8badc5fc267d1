#include "core/policy/weighted_round_robin.h"

#include "core/policy/table_slots.h"

namespace huddle::core {

Result<WeightedRoundRobinPolicy::Options> WeightedRoundRobinPolicy::ParseOptions(
    const OptionMap& options) {
  OptionReader reader(options, "weighted_round_robin");
  Options parsed;
  const std::string algorithm = reader.String("algorithm", "smooth", {"smooth", "edf"});
  parsed.algorithm = algorithm == "edf" ? Algorithm::kEdf : Algorithm::kSmooth;
  if (auto status = reader.Finish(); !status) return std::unexpected(status.error());
  return parsed;
}

Result<std::unique_ptr<Policy>> WeightedRoundRobinPolicy::Create(const OptionMap& options) {
  Result<Options> parsed = ParseOptions(options);
  if (!parsed) return std::unexpected(parsed.error());
  return std::make_unique<WeightedRoundRobinPolicy>(*parsed);
}

WeightedRoundRobinPolicy::WeightedRoundRobinPolicy() : WeightedRoundRobinPolicy(Options{}) {}

WeightedRoundRobinPolicy::WeightedRoundRobinPolicy(const Options& options) : options_(options) {}

void WeightedRoundRobinPolicy::Update(const RoutingTable& table) {
  const uint32_t slots = TableSlots(table);
  // Save the smooth current weights of the old entries, then rebuild from the new table.
  for (const SmoothEntry& e : smooth_) {
    if (e.backend < current_by_slot_.size()) current_by_slot_[e.backend] = e.current;
  }
  current_by_slot_.resize(slots, 0.0);
  weight_by_slot_.assign(slots, 0.0);
  std::vector<double> kept(slots, 0.0);
  for (const RoutingEntry& e : table.entries) {
    if (e.backend < kept.size()) kept[e.backend] = current_by_slot_[e.backend];
  }
  // A backend that leaves and later returns starts again from zero, like a new one.
  current_by_slot_ = std::move(kept);

  smooth_.clear();
  total_weight_ = 0.0;
  for (const RoutingEntry& e : table.entries) {
    const double current = e.backend < current_by_slot_.size() ? current_by_slot_[e.backend] : 0.0;
    smooth_.push_back(SmoothEntry{e.backend, e.weight, current});
    total_weight_ += e.weight;
    if (e.backend < weight_by_slot_.size()) weight_by_slot_[e.backend] = e.weight;
  }
  // With equal weights both algorithms reduce to round robin; skip their O(n) / O(log n) work.
  equal_weights_ = table.AllWeightsEqual();
  if (next_equal_ >= smooth_.size()) next_equal_ = 0;
  if (options_.algorithm == Algorithm::kEdf) edf_.Rebuild(table.entries, {}, slots);
}

std::optional<BackendIndex> WeightedRoundRobinPolicy::Pick(const PickContext& /*ctx*/) {
  if (smooth_.empty()) return std::nullopt;
  if (equal_weights_) {
    const BackendIndex b = smooth_[next_equal_].backend;
    next_equal_ = next_equal_ + 1 == smooth_.size() ? 0 : next_equal_ + 1;
    return b;
  }
  if (options_.algorithm == Algorithm::kEdf) {
    const BackendIndex b = edf_.Top();
    edf_.AdvanceTop(weight_by_slot_[b]);
    return b;
  }
  // NGINX ngx_http_upstream_get_peer (smooth weighted round robin).
  SmoothEntry* best = nullptr;
  for (SmoothEntry& e : smooth_) {
    e.current += e.weight;
    if (best == nullptr || e.current > best->current) best = &e;
  }
  best->current -= total_weight_;
  return best->backend;
}

void WeightedRoundRobinPolicy::ReportCluster(StatSink& sink) const {
  sink.Gauge("backends", static_cast<double>(smooth_.size()));
  sink.Gauge("total_weight", total_weight_);
}

void WeightedRoundRobinPolicy::ReportBackend(BackendIndex b, StatSink& sink) const {
  sink.Gauge("weight", b < weight_by_slot_.size() ? weight_by_slot_[b] : 0.0);
  if (options_.algorithm == Algorithm::kSmooth) {
    for (const SmoothEntry& e : smooth_) {
      if (e.backend == b) sink.Gauge("current_weight", e.current);
    }
  }
}

}  // namespace huddle::core
