#include "core/metrics/metrics_weighted_policy.h"

#include <cmath>
#include <limits>
#include <string>

namespace huddle::core {

Result<MetricsWeightedPolicy::Options> MetricsWeightedPolicy::ParseOptions(const OptionMap& map) {
  OptionReader r(map, std::string(kName));
  Options o;
  const std::string selector = r.String("selector", "mix", {"mix", "cpu", "heap", "load"});
  const OptionRange positive{.min = 0, .min_exclusive = true};
  o.sample_interval = r.Time("sample_interval", o.sample_interval, positive);
  o.half_life = r.Time("half_life", o.half_life, positive);
  const std::string mode = r.String("mode", "weighted", {"weighted", "argmin"});
  // "1ns"-style values pass the range check as seconds but round to zero nanoseconds.
  if (o.sample_interval <= Duration::zero()) r.Problem("sample_interval must be at least 1ns");
  if (o.half_life <= Duration::zero()) r.Problem("half_life must be at least 1ns");
  if (Result<void> done = r.Finish(); !done) return std::unexpected(done.error());
  o.selector = *CapacitySelector::Parse(selector);
  o.mode = mode == "argmin" ? Mode::kArgmin : Mode::kWeighted;
  return o;
}

Result<std::unique_ptr<Policy>> MetricsWeightedPolicy::Create(const OptionMap& map) {
  Result<Options> options = ParseOptions(map);
  if (!options) return std::unexpected(options.error());
  return std::make_unique<MetricsWeightedPolicy>(*options);
}

MetricsWeightedPolicy::MetricsWeightedPolicy(const Options& options)
    : options_(options),
      selector_(options.selector),
      store_(NodeMetricsStore::Options{.sample_interval = options.sample_interval,
                                       .half_life = options.half_life}) {}

void MetricsWeightedPolicy::Update(const RoutingTable& table) {
  // Indices at or beyond backend_slots no longer exist in the cluster.
  for (BackendIndex b = table.backend_slots; b < backend_slots_; ++b) store_.Remove(b);
  backend_slots_ = table.backend_slots;
  store_.Reserve(backend_slots_);

  entries_.clear();
  position_.assign(backend_slots_, -1);
  for (const RoutingEntry& e : table.entries) {
    // A malformed table (index out of range, duplicate) must not crash the worker: skip it.
    if (e.backend >= backend_slots_ || position_[e.backend] >= 0) continue;
    position_[e.backend] = static_cast<int64_t>(entries_.size());
    entries_.push_back(e);
  }
  capacities_.resize(entries_.size());
  multipliers_.resize(entries_.size());
  Recompute();
}

std::optional<BackendIndex> MetricsWeightedPolicy::Pick(const PickContext& ctx) {
  if (entries_.empty()) return std::nullopt;
  if (options_.mode == Mode::kArgmin) return argmin_;
  const std::optional<size_t> pos = weights_.Pick(ctx.rng);
  if (!pos) return std::nullopt;
  return entries_[*pos].backend;
}

void MetricsWeightedPolicy::ObserveMetrics(BackendIndex b, const BackendMetrics& m) {
  if (b >= backend_slots_) {
    ++unknown_backend_reports_;
    return;
  }
  if (store_.Record(b, m) && position_[b] >= 0) Recompute();
}

void MetricsWeightedPolicy::Tick(TimePoint /*now*/) { Recompute(); }

void MetricsWeightedPolicy::Recompute() {
  with_capacity_ = 0;
  argmin_.reset();
  double best_cpu = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < entries_.size(); ++i) {
    const BackendIndex b = entries_[i].backend;
    const NodeMetrics m = store_.Get(b);
    capacities_[i] = selector_.Capacity(m);
    multipliers_[i] = entries_[i].weight;
    if (capacities_[i]) ++with_capacity_;
    // atomr's AdaptiveLoadBalancer: sort by cpu_load (missing = +inf), then by address. The
    // index comparison makes the tie rule independent of the table's order.
    const double cpu = m.cpu.value_or(std::numeric_limits<double>::infinity());
    if (!argmin_ || cpu < best_cpu || (cpu == best_cpu && b < *argmin_)) {
      argmin_ = b;
      best_cpu = cpu;
    }
  }
  weights_.Rebuild(capacities_, multipliers_);
}

int64_t MetricsWeightedPolicy::PositionOf(BackendIndex b) const {
  return b < position_.size() ? position_[b] : -1;
}

uint64_t MetricsWeightedPolicy::WeightOf(BackendIndex b) const {
  const int64_t pos = PositionOf(b);
  if (pos < 0) return 0;
  if (options_.mode == Mode::kArgmin) return argmin_ == b ? 1 : 0;
  return weights_.effective_weight(static_cast<size_t>(pos));
}

void MetricsWeightedPolicy::ReportCluster(StatSink& sink) const {
  sink.Gauge("metrics_reports_accepted", static_cast<double>(store_.accepted_reports()));
  sink.Gauge("metrics_reports_stale", static_cast<double>(store_.stale_reports()));
  sink.Gauge("metrics_reports_unknown_backend", static_cast<double>(unknown_backend_reports_));
  sink.Gauge("metrics_samples_missing", static_cast<double>(store_.missing_samples()));
  sink.Gauge("metrics_samples_invalid", static_cast<double>(store_.invalid_samples()));
  sink.Gauge("metrics_weight_total", static_cast<double>(weights_.total()));
}

void MetricsWeightedPolicy::ReportBackend(BackendIndex b, StatSink& sink) const {
  sink.Gauge("weight", static_cast<double>(WeightOf(b)));
  const NodeMetrics m = store_.Get(b);
  if (const std::optional<double> c = selector_.Capacity(m)) sink.Gauge("capacity", *c);
  if (m.cpu) sink.Gauge("cpu", *m.cpu);
  if (m.memory_used_bytes && m.memory_max_bytes && *m.memory_max_bytes > 0.0) {
    sink.Gauge("heap", *m.memory_used_bytes / *m.memory_max_bytes);
  }
}

}  // namespace huddle::core
