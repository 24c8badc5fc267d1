#include "core/policy/consistent_hash.h"

#include <cmath>

#include "core/policy/hash_mix.h"
#include "core/policy/table_slots.h"

namespace huddle::core {

bool ConsistentHashPolicy::IsPrime(uint64_t n) {
  if (n < 2) return false;
  for (uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

Result<ConsistentHashPolicy::Options> ConsistentHashPolicy::ParseOptions(const OptionMap& options) {
  OptionReader reader(options, "consistent_hash");
  Options parsed;
  const std::string algorithm = reader.String("algorithm", "maglev", {"maglev", "ring"});
  parsed.algorithm = algorithm == "ring" ? Algorithm::kRing : Algorithm::kMaglev;
  parsed.table_size = static_cast<uint64_t>(
      reader.Int("table_size", static_cast<int64_t>(parsed.table_size), {.min = 3, .max = 1e8}));
  parsed.ring_points = static_cast<uint64_t>(reader.Int(
      "ring_points", static_cast<int64_t>(parsed.ring_points), {.min = 1, .max = 100000}));
  parsed.balance_factor = reader.Double("balance_factor", 0.0, {.min = 0, .max = 100});
  if (!IsPrime(parsed.table_size)) {
    reader.Problem("table_size = " + std::to_string(parsed.table_size) +
                   " must be prime (for example 65537, 131071, 524287)");
  }
  if (parsed.balance_factor != 0.0 && parsed.balance_factor < 1.0) {
    reader.Problem("balance_factor must be 0 (off) or >= 1, got " +
                   std::to_string(parsed.balance_factor));
  }
  if (parsed.algorithm == Algorithm::kRing && reader.Has("table_size")) {
    reader.Problem("table_size applies to algorithm maglev only");
  }
  if (parsed.algorithm == Algorithm::kMaglev && reader.Has("ring_points")) {
    reader.Problem("ring_points applies to algorithm ring only");
  }
  if (auto status = reader.Finish(); !status) return std::unexpected(status.error());
  return parsed;
}

Result<std::unique_ptr<Policy>> ConsistentHashPolicy::Create(const OptionMap& options) {
  Result<Options> parsed = ParseOptions(options);
  if (!parsed) return std::unexpected(parsed.error());
  return std::make_unique<ConsistentHashPolicy>(*parsed);
}

ConsistentHashPolicy::ConsistentHashPolicy() : ConsistentHashPolicy(Options{}) {}

ConsistentHashPolicy::ConsistentHashPolicy(const Options& options) : options_(options) {}

void ConsistentHashPolicy::Update(const RoutingTable& table) {
  const uint32_t slots = TableSlots(table);
  backends_ = table.entries.size();
  total_weight_ = 0.0;
  weight_by_slot_.assign(slots, 0.0);
  for (const RoutingEntry& e : table.entries) {
    weight_by_slot_[e.backend] = e.weight;
    total_weight_ += e.weight;
  }
  in_flight_.Update(table);
  if (options_.algorithm == Algorithm::kMaglev) {
    maglev_.Build(table.entries, options_.table_size, slots);
  } else {
    ring_.Build(table.entries, options_.ring_points, slots);
  }
}

std::optional<BackendIndex> ConsistentHashPolicy::Owner(uint64_t hash_key) const {
  if (backends_ == 0) return std::nullopt;
  const uint64_t h = HashMix64(hash_key);
  if (options_.algorithm == Algorithm::kMaglev) return maglev_.At(h % maglev_.size());
  return ring_.At(ring_.Find(h));
}

bool ConsistentHashPolicy::UnderBound(BackendIndex b, double capacity_per_weight) const {
  const double capacity = std::ceil(capacity_per_weight * weight_by_slot_[b]);
  return static_cast<double>(in_flight_.Get(b)) < capacity;
}

std::optional<BackendIndex> ConsistentHashPolicy::Pick(const PickContext& ctx) {
  if (backends_ == 0) return std::nullopt;
  const uint64_t h = ctx.hash_key ? HashMix64(*ctx.hash_key) : ctx.rng.NextU64();
  const bool maglev = options_.algorithm == Algorithm::kMaglev;
  const uint64_t size = maglev ? maglev_.size() : ring_.size();
  const uint64_t start = maglev ? h % size : ring_.Find(h);
  const BackendIndex home = maglev ? maglev_.At(start) : ring_.At(start);
  if (options_.balance_factor == 0.0 || backends_ == 1) return home;

  const double capacity_per_weight =
      options_.balance_factor * static_cast<double>(in_flight_.MembersTotal() + 1) / total_weight_;
  if (UnderBound(home, capacity_per_weight)) return home;
  // Walk the key's fallback order. Bounded by the table size; the sum of the ceilings is at least
  // T + 1, so some backend is under its bound and the walk ends early in practice.
  uint64_t pos = start;
  for (uint64_t step = 1; step < size; ++step) {
    if (++pos == size) pos = 0;
    const BackendIndex b = maglev ? maglev_.At(pos) : ring_.At(pos);
    if (b != home && UnderBound(b, capacity_per_weight)) return b;
  }
  return home;
}

void ConsistentHashPolicy::OnSend(BackendIndex b, TimePoint /*now*/) { in_flight_.Add(b); }

void ConsistentHashPolicy::Observe(BackendIndex b, const Outcome& /*outcome*/, TimePoint /*now*/) {
  in_flight_.Done(b);
}

void ConsistentHashPolicy::ReportCluster(StatSink& sink) const {
  sink.Gauge("backends", static_cast<double>(backends_));
  sink.Gauge("table_size",
             static_cast<double>(options_.algorithm == Algorithm::kMaglev ? maglev_.size()
                                                                          : ring_.size()));
  sink.Gauge("in_flight", static_cast<double>(in_flight_.MembersTotal()));
}

void ConsistentHashPolicy::ReportBackend(BackendIndex b, StatSink& sink) const {
  sink.Gauge("in_flight", static_cast<double>(in_flight_.Get(b)));
  sink.Gauge("weight", b < weight_by_slot_.size() ? weight_by_slot_[b] : 0.0);
  const bool maglev = options_.algorithm == Algorithm::kMaglev;
  const double owned = static_cast<double>(maglev ? maglev_.SlotsOf(b) : ring_.PointsOf(b));
  const double size = static_cast<double>(maglev ? maglev_.size() : ring_.size());
  sink.Gauge("table_share", size > 0 ? owned / size : 0.0);
}

}  // namespace huddle::core
