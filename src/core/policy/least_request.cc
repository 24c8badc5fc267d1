#include "core/policy/least_request.h"

#include <cmath>

#include "core/policy/table_slots.h"

namespace huddle::core {

Result<LeastRequestPolicy::Options> LeastRequestPolicy::ParseOptions(const OptionMap& options) {
  OptionReader reader(options, "least_request");
  Options parsed;
  parsed.choice_count = static_cast<int>(reader.Int("choice_count", 2, {.min = 2, .max = 64}));
  parsed.active_request_bias = reader.Double("active_request_bias", 1.0, {.min = 0, .max = 16});
  parsed.full_scan = reader.Bool("full_scan", false);
  if (auto status = reader.Finish(); !status) return std::unexpected(status.error());
  return parsed;
}

Result<std::unique_ptr<Policy>> LeastRequestPolicy::Create(const OptionMap& options) {
  Result<Options> parsed = ParseOptions(options);
  if (!parsed) return std::unexpected(parsed.error());
  return std::make_unique<LeastRequestPolicy>(*parsed);
}

LeastRequestPolicy::LeastRequestPolicy() : LeastRequestPolicy(Options{}) {}

LeastRequestPolicy::LeastRequestPolicy(const Options& options) : options_(options) {}

void LeastRequestPolicy::Update(const RoutingTable& table) {
  entries_ = table.entries;
  weight_by_slot_.assign(TableSlots(table), 0.0);
  for (const RoutingEntry& e : entries_) weight_by_slot_[e.backend] = e.weight;
  in_flight_.Update(table);
  weighted_ = !table.AllWeightsEqual();
  if (cursor_ >= entries_.size()) cursor_ = 0;
  if (weighted_ && !options_.full_scan) {
    std::vector<double> effective;
    effective.reserve(entries_.size());
    for (const RoutingEntry& e : entries_) effective.push_back(EffectiveWeight(e.backend));
    edf_.Rebuild(entries_, effective, TableSlots(table));
  }
}

double LeastRequestPolicy::EffectiveWeight(BackendIndex b) const {
  const double weight = weight_by_slot_[b];
  const double active = static_cast<double>(in_flight_.Get(b));
  const double bias = options_.active_request_bias;
  if (bias == 1.0) return weight / (active + 1.0);  // the common case, without pow()
  if (bias == 0.0) return weight;
  return weight / std::pow(active + 1.0, bias);
}

std::optional<BackendIndex> LeastRequestPolicy::Pick(const PickContext& ctx) {
  const size_t n = entries_.size();
  if (n == 0) return std::nullopt;
  if (n == 1) return entries_.front().backend;
  if (options_.full_scan) return PickFullScan();
  if (weighted_) {
    const BackendIndex b = edf_.Top();
    edf_.AdvanceTop(EffectiveWeight(b));
    return b;
  }
  return PickPowerOfChoices(ctx.rng);
}

BackendIndex LeastRequestPolicy::PickPowerOfChoices(Random& rng) const {
  const size_t n = entries_.size();
  BackendIndex best = kNoBackend;
  uint64_t best_active = 0;
  for (int i = 0; i < options_.choice_count; ++i) {
    const BackendIndex b = entries_[rng.Below(n)].backend;
    const uint64_t active = in_flight_.Get(b);
    if (best == kNoBackend || active < best_active) {
      best = b;
      best_active = active;
    }
  }
  return best;
}

BackendIndex LeastRequestPolicy::PickFullScan() {
  const size_t n = entries_.size();
  size_t best_pos = cursor_;
  double best_score = 0.0;
  for (size_t k = 0; k < n; ++k) {
    size_t pos = cursor_ + k;
    if (pos >= n) pos -= n;
    const RoutingEntry& e = entries_[pos];
    const double score = static_cast<double>(in_flight_.Get(e.backend) + 1) / e.weight;
    if (k == 0 || score < best_score) {
      best_pos = pos;
      best_score = score;
    }
  }
  cursor_ = best_pos + 1 == n ? 0 : best_pos + 1;
  return entries_[best_pos].backend;
}

void LeastRequestPolicy::OnSend(BackendIndex b, TimePoint /*now*/) { in_flight_.Add(b); }

void LeastRequestPolicy::Observe(BackendIndex b, const Outcome& /*outcome*/, TimePoint /*now*/) {
  in_flight_.Done(b);
}

void LeastRequestPolicy::ReportCluster(StatSink& sink) const {
  sink.Gauge("backends", static_cast<double>(entries_.size()));
  sink.Gauge("in_flight", static_cast<double>(in_flight_.MembersTotal()));
  sink.Gauge("weighted", weighted_ && !options_.full_scan ? 1.0 : 0.0);
}

void LeastRequestPolicy::ReportBackend(BackendIndex b, StatSink& sink) const {
  sink.Gauge("in_flight", static_cast<double>(in_flight_.Get(b)));
  const bool member = b < weight_by_slot_.size() && weight_by_slot_[b] > 0.0;
  sink.Gauge("weight", member ? weight_by_slot_[b] : 0.0);
  sink.Gauge("effective_weight", member ? EffectiveWeight(b) : 0.0);
}

}  // namespace huddle::core
