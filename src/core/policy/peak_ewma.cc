#include "core/policy/peak_ewma.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "core/policy/table_slots.h"

namespace huddle::core {
namespace {

// Finagle's PeakEwma.Penalty (Long.MaxValue >> 16 nanoseconds): the load of a backend whose cost
// is zero while requests are pending.
constexpr double kPenaltyNanos = static_cast<double>(INT64_MAX >> 16);

double Nanos(Duration d) { return static_cast<double>(d.count()); }

}  // namespace

Result<PeakEwmaPolicy::Options> PeakEwmaPolicy::ParseOptions(const OptionMap& options) {
  OptionReader reader(options, "peak_ewma");
  Options parsed;
  parsed.decay = reader.Time("decay", parsed.decay, {.min = 0, .max = 3600, .min_exclusive = true});
  parsed.default_rtt = reader.Time("default_rtt", parsed.default_rtt, {.min = 0, .max = 600});
  parsed.failure_penalty =
      reader.Time("failure_penalty", parsed.failure_penalty, {.min = 0, .max = 3600});
  parsed.choice_count =
      static_cast<int>(reader.Int("choice_count", parsed.choice_count, {.min = 2, .max = 64}));
  parsed.full_scan = reader.Bool("full_scan", parsed.full_scan);
  parsed.slow_factor = reader.Double("slow_factor", parsed.slow_factor, {.min = 0, .max = 1000});
  if (parsed.slow_factor > 0.0 && parsed.slow_factor <= 1.0) {
    reader.Problem("slow_factor must be 0 (off) or above 1");
  }
  parsed.slow_min_excess =
      reader.Time("slow_min_excess", parsed.slow_min_excess, {.min = 0, .max = 3600});
  parsed.slow_retry_interval =
      reader.Time("slow_retry_interval", parsed.slow_retry_interval, {.min = 0, .max = 3600});
  parsed.slow_window = reader.Time("slow_window", parsed.slow_window,
                                   {.min = 0, .max = 3600, .min_exclusive = true});
  if (auto status = reader.Finish(); !status) return std::unexpected(status.error());
  return parsed;
}

Result<std::unique_ptr<Policy>> PeakEwmaPolicy::Create(const OptionMap& options) {
  Result<Options> parsed = ParseOptions(options);
  if (!parsed) return std::unexpected(parsed.error());
  return std::make_unique<PeakEwmaPolicy>(*parsed);
}

PeakEwmaPolicy::PeakEwmaPolicy() : PeakEwmaPolicy(Options{}) {}

PeakEwmaPolicy::PeakEwmaPolicy(const Options& options)
    : options_(options), tau_ns_(std::max(1.0, Nanos(options.decay))) {}

void PeakEwmaPolicy::Update(const RoutingTable& table) {
  backends_.clear();
  for (const RoutingEntry& e : table.entries) backends_.push_back(e.backend);
  estimates_.resize(TableSlots(table));
  weights_.assign(TableSlots(table), 1.0);
  for (const RoutingEntry& e : table.entries) {
    if (e.backend < weights_.size() && e.weight > 0.0) weights_[e.backend] = e.weight;
  }
  in_flight_.Update(table);
  slow_.resize(TableSlots(table));
  // Backends that left the table keep no quarantine (Tick counts table members only).
  std::vector<bool> listed(slow_.size(), false);
  for (BackendIndex b : backends_) listed[b] = true;
  quarantined_count_ = 0;
  for (size_t b = 0; b < slow_.size(); ++b) {
    if (!listed[b]) slow_[b].quarantined = false;
    if (slow_[b].quarantined) ++quarantined_count_;
  }
  median_scratch_.reserve(slow_.size());
}

double PeakEwmaPolicy::CostNanos(BackendIndex b, TimePoint now) const {
  if (b >= estimates_.size() || !estimates_[b].stamped) return Nanos(options_.default_rtt);
  const Estimate& e = estimates_[b];
  const double dt = std::max(0.0, Nanos(now - e.stamp));
  return e.cost_ns * std::exp(-dt / tau_ns_);
}

double PeakEwmaPolicy::LoadNanos(BackendIndex b, TimePoint now) const {
  const double cost = CostNanos(b, now);
  const double pending = static_cast<double>(in_flight_.Get(b));
  if (cost == 0.0 && pending > 0.0) return kPenaltyNanos + pending;
  // Dividing by the weight makes a weight-2 backend look half as loaded: it takes twice the
  // traffic at equal latency, as least_request's weighted mode does.
  const double weight = b < weights_.size() ? weights_[b] : 1.0;
  return cost * (pending + 1.0) / weight;
}

std::optional<BackendIndex> PeakEwmaPolicy::Pick(const PickContext& ctx) {
  const size_t n = backends_.size();
  if (n == 0) return std::nullopt;
  latest_ = std::max(latest_, ctx.now);
  if (n == 1) return backends_.front();
  if (options_.full_scan || static_cast<size_t>(options_.choice_count) >= n) {
    // Every backend is a candidate; ties go to table order.
    BackendIndex best = backends_.front();
    if (TrialDue(best, ctx.now)) return best;
    Touch(best, ctx.now);
    double best_load = LoadNanos(best, ctx.now);
    for (size_t k = 1; k < n; ++k) {
      const BackendIndex c = backends_[k];
      if (TrialDue(c, ctx.now)) return c;
      Touch(c, ctx.now);
      const double load = LoadNanos(c, ctx.now);
      if (Beats(c, load, best, best_load)) {
        best = c;
        best_load = load;
      }
    }
    return best;
  }
  if (options_.choice_count > 2) {
    // k draws with replacement (a repeat only wastes a draw); the least loaded wins.
    BackendIndex best = backends_[ctx.rng.Below(n)];
    if (TrialDue(best, ctx.now)) return best;
    Touch(best, ctx.now);
    double best_load = LoadNanos(best, ctx.now);
    for (int k = 1; k < options_.choice_count; ++k) {
      const BackendIndex c = backends_[ctx.rng.Below(n)];
      if (TrialDue(c, ctx.now)) return c;
      Touch(c, ctx.now);
      const double load = LoadNanos(c, ctx.now);
      if (Beats(c, load, best, best_load)) {
        best = c;
        best_load = load;
      }
    }
    return best;
  }
  const size_t i = ctx.rng.Below(n);
  size_t j = ctx.rng.Below(n - 1);
  if (j >= i) ++j;
  const BackendIndex a = backends_[i];
  const BackendIndex b = backends_[j];
  if (TrialDue(a, ctx.now)) return a;
  if (TrialDue(b, ctx.now)) return b;
  Touch(a, ctx.now);
  Touch(b, ctx.now);
  return Beats(b, LoadNanos(b, ctx.now), a, LoadNanos(a, ctx.now)) ? b : a;
}

bool PeakEwmaPolicy::Beats(BackendIndex c, double load, BackendIndex best, double best_load) const {
  if (quarantined_count_ > 0) {
    const bool qc = Quarantined(c);
    const bool qb = Quarantined(best);
    if (qc != qb) return qb;
  }
  return load < best_load;
}

bool PeakEwmaPolicy::TrialDue(BackendIndex b, TimePoint now) {
  if (quarantined_count_ == 0 || !Quarantined(b)) return false;
  SlowState& s = slow_[b];
  if (now - s.last_trial < options_.slow_retry_interval) return false;
  s.last_trial = now;
  return true;
}

void PeakEwmaPolicy::Touch(BackendIndex b, TimePoint now) {
  if (b >= estimates_.size()) return;
  Estimate& e = estimates_[b];
  if (e.stamped) return;
  e.cost_ns = Nanos(options_.default_rtt);
  e.stamp = now;
  e.stamped = true;
}

void PeakEwmaPolicy::OnSend(BackendIndex b, TimePoint now) {
  in_flight_.Add(b);
  latest_ = std::max(latest_, now);
}

void PeakEwmaPolicy::Observe(BackendIndex b, const Outcome& outcome, TimePoint now) {
  in_flight_.Done(b);
  latest_ = std::max(latest_, now);
  if (b >= estimates_.size()) return;
  double rtt = std::max(0.0, Nanos(outcome.latency));
  if (!outcome.ok) rtt = std::max(rtt, Nanos(options_.failure_penalty));
  Sample(b, outcome, now);
  Estimate& e = estimates_[b];
  if (!e.has_sample) {
    e.cost_ns = rtt;
    e.stamp = now;
    e.has_sample = true;
    e.stamped = true;
  } else {
    const double w = std::exp(-std::max(0.0, Nanos(now - e.stamp)) / tau_ns_);
    const double decayed = e.cost_ns * w;
    e.cost_ns = rtt > decayed ? rtt : decayed + rtt * (1.0 - w);
    e.stamp = std::max(e.stamp, now);
  }
}

void PeakEwmaPolicy::ObserveProbe(BackendIndex b, const Outcome& outcome, TimePoint now) {
  latest_ = std::max(latest_, now);
  Sample(b, outcome, now);
}

void PeakEwmaPolicy::Sample(BackendIndex b, const Outcome& outcome, TimePoint now) {
  // Failures say nothing about speed (the cost and outlier detection charge them).
  if (options_.slow_factor <= 0.0 || b >= slow_.size() || !outcome.ok) return;
  SlowState& s = slow_[b];
  const double rtt = std::max(0.0, Nanos(outcome.latency));
  if (s.samples == 0) {
    s.latency_ns = rtt;
  } else {
    const double dt = std::max(0.0, Nanos(now - s.last_sample));
    const double w = 1.0 - std::exp(-dt / Nanos(options_.slow_window));
    s.latency_ns += w * (rtt - s.latency_ns);
  }
  s.last_sample = std::max(s.last_sample, now);
  ++s.samples;
}

void PeakEwmaPolicy::Tick(TimePoint now) {
  latest_ = std::max(latest_, now);
  if (options_.slow_factor <= 0.0) return;
  constexpr uint32_t kMinSamples = 5;
  median_scratch_.clear();
  for (BackendIndex b : backends_) {
    if (b < slow_.size() && slow_[b].samples >= kMinSamples) {
      median_scratch_.push_back(slow_[b].latency_ns);
    }
  }
  const bool measured = median_scratch_.size() >= 2;
  if (measured) {
    const size_t mid = (median_scratch_.size() - 1) / 2;  // lower median
    std::nth_element(median_scratch_.begin(), median_scratch_.begin() + static_cast<ptrdiff_t>(mid),
                     median_scratch_.end());
    median_latency_ns_ = median_scratch_[mid];
  }
  const double limit = std::max(options_.slow_factor * median_latency_ns_,
                                median_latency_ns_ + Nanos(options_.slow_min_excess));
  quarantined_count_ = 0;
  for (BackendIndex b : backends_) {
    if (b >= slow_.size()) continue;
    SlowState& s = slow_[b];
    const bool slow = measured && s.samples >= kMinSamples && s.latency_ns > limit;
    if (slow != s.quarantined) {
      s.quarantined = slow;
      if (slow) s.last_trial = now;
      if (listener_) {
        char reason[160];
        std::snprintf(
            reason, sizeof reason,
            slow ? "smoothed latency %.1f ms is %.1fx the cluster median %.1f ms: "
                   "quarantined (one trial request per interval)"
                 : "smoothed latency %.1f ms is back within %.1fx of the median %.1f ms",
            s.latency_ns / 1e6,
            slow ? s.latency_ns / std::max(1.0, median_latency_ns_) : options_.slow_factor,
            median_latency_ns_ / 1e6);
        listener_(PolicyEvent{now, b, slow ? "slow" : "recovered", reason});
      }
    }
    if (s.quarantined) ++quarantined_count_;
  }
}

void PeakEwmaPolicy::ReportCluster(StatSink& sink) const {
  sink.Gauge("backends", static_cast<double>(backends_.size()));
  sink.Gauge("in_flight", static_cast<double>(in_flight_.MembersTotal()));
  sink.Gauge("quarantined", static_cast<double>(quarantined_count_));
  sink.Gauge("median_latency_ms", median_latency_ns_ / 1e6);
}

void PeakEwmaPolicy::ReportBackend(BackendIndex b, StatSink& sink) const {
  sink.Gauge("in_flight", static_cast<double>(in_flight_.Get(b)));
  sink.Gauge("cost_ms", CostNanos(b, latest_) / 1e6);
  sink.Gauge("load_ms", LoadNanos(b, latest_) / 1e6);
  if (b < slow_.size()) sink.Gauge("latency_ms", slow_[b].latency_ns / 1e6);
  sink.Gauge("inner", Quarantined(b) ? 0.0 : 1.0);
}

}  // namespace huddle::core
