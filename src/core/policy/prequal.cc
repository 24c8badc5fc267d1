#include "core/policy/prequal.h"

#include <algorithm>
#include <cmath>

#include "core/policy/table_slots.h"

namespace huddle::core {

Result<PrequalPolicy::Options> PrequalPolicy::ParseOptions(const OptionMap& options) {
  OptionReader reader(options, "prequal");
  Options parsed;
  parsed.probe_rate = static_cast<int>(reader.Int("probe_rate", 3, {.min = 1, .max = 16}));
  parsed.pool_size = static_cast<int>(
      reader.Int("pool_size", 16, {.min = 1, .max = static_cast<double>(kMaxPool)}));
  parsed.q_rif = reader.Double("q_rif", 0.84, {.min = 0, .max = 1});
  parsed.max_reuse = static_cast<int>(reader.Int("max_reuse", 2, {.min = 1, .max = 1000}));
  parsed.max_age = reader.Time("max_age", parsed.max_age, {.min = 0, .min_exclusive = true});
  if (auto status = reader.Finish(); !status) return std::unexpected(status.error());
  return parsed;
}

Result<std::unique_ptr<Policy>> PrequalPolicy::Create(const OptionMap& options) {
  Result<Options> parsed = ParseOptions(options);
  if (!parsed) return std::unexpected(parsed.error());
  return std::make_unique<PrequalPolicy>(*parsed);
}

PrequalPolicy::PrequalPolicy(const Options& options) : options_(options) {}

void PrequalPolicy::Update(const RoutingTable& table) {
  backends_.clear();
  member_.assign(TableSlots(table), 0);
  for (const RoutingEntry& e : table.entries) {
    backends_.push_back(e.backend);
    member_[e.backend] = 1;
  }
  for (size_t i = pool_count_; i-- > 0;) {
    const BackendIndex b = pool_[i].backend;
    if (b >= member_.size() || !member_[b]) Remove(i);
  }
}

void PrequalPolicy::Remove(size_t i) {
  pool_[i] = pool_[pool_count_ - 1];
  --pool_count_;
}

void PrequalPolicy::DropExpired(TimePoint now) {
  for (size_t i = pool_count_; i-- > 0;) {
    if (now - pool_[i].received > options_.max_age) Remove(i);
  }
}

std::optional<BackendIndex> PrequalPolicy::Pick(const PickContext& ctx) {
  if (backends_.empty()) return std::nullopt;
  DropExpired(ctx.now);
  if (pool_count_ == 0) return backends_[ctx.rng.Below(backends_.size())];

  // The q_rif quantile of the pool's RIFs (lower empirical quantile).
  for (size_t i = 0; i < pool_count_; ++i) rif_scratch_[i] = pool_[i].rif;
  const size_t k = std::min(pool_count_ - 1,
                            static_cast<size_t>(std::floor(options_.q_rif * (pool_count_ - 1))));
  std::nth_element(rif_scratch_.begin(), rif_scratch_.begin() + k,
                   rif_scratch_.begin() + pool_count_);
  const double threshold = rif_scratch_[k];

  size_t best = pool_count_;
  bool best_cold = false;
  for (size_t i = 0; i < pool_count_; ++i) {
    const Probe& p = pool_[i];
    const bool cold = p.rif <= threshold;
    if (best == pool_count_) {
      best = i;
      best_cold = cold;
      continue;
    }
    const Probe& q = pool_[best];
    bool better;
    if (cold != best_cold) {
      better = cold;  // any cold probe beats every hot one
    } else if (cold) {
      better = p.latency_ms < q.latency_ms || (p.latency_ms == q.latency_ms && p.rif < q.rif);
    } else {
      better = p.rif < q.rif || (p.rif == q.rif && p.latency_ms < q.latency_ms);
    }
    if (better) {
      best = i;
      best_cold = cold;
    }
  }
  Probe& chosen = pool_[best];
  const BackendIndex b = chosen.backend;
  chosen.rif += 1.0;  // the request we are about to send
  if (++chosen.uses >= options_.max_reuse) Remove(best);
  return b;
}

size_t PrequalPolicy::ProbeTargets(TimePoint /*now*/, Random& rng, std::span<BackendIndex> out) {
  const size_t n = backends_.size();
  const size_t want = std::min({static_cast<size_t>(options_.probe_rate), n, out.size()});
  // Distinct targets by rejection: want is small against n, or equal to it when n is tiny.
  size_t count = 0;
  for (size_t tries = 0; count < want && tries < 8 * want + 8; ++tries) {
    const BackendIndex b = backends_[rng.Below(n)];
    if (std::find(out.begin(), out.begin() + count, b) == out.begin() + count) out[count++] = b;
  }
  return count;
}

void PrequalPolicy::ObserveServerReport(BackendIndex b, const ServerReport& report, bool probe,
                                        TimePoint now) {
  if (!probe || b >= member_.size() || !member_[b]) return;
  Probe p{b, report.requests_in_flight, report.latency_ms, now, 0};
  if (pool_count_ < static_cast<size_t>(options_.pool_size)) {
    pool_[pool_count_++] = p;
    return;
  }
  size_t oldest = 0;
  for (size_t i = 1; i < pool_count_; ++i) {
    if (pool_[i].received < pool_[oldest].received) oldest = i;
  }
  pool_[oldest] = p;
}

}  // namespace huddle::core
