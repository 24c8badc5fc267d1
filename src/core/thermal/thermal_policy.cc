#include "core/thermal/thermal_policy.h"

#include <algorithm>
#include <utility>

namespace huddle::core {

Result<std::unique_ptr<Policy>> ThermalPolicy::Create(const OptionMap& options) {
  Result<ThermalOptions> parsed = ThermalOptions::Parse(options);
  if (!parsed) return std::unexpected(parsed.error());
  return std::make_unique<ThermalPolicy>(*parsed);
}

ThermalPolicy::ThermalPolicy(const ThermalOptions& options) : options_(options), model_(options) {}

void ThermalPolicy::Update(const RoutingTable& table) {
  in_table_.assign(table.backend_slots, 0);
  if (inflight_.size() < table.backend_slots) inflight_.resize(table.backend_slots, 0);
  table_backends_.clear();
  const ThermalModel::Admission admission =
      seen_table_ ? ThermalModel::Admission::kColdStart : ThermalModel::Admission::kImmediate;
  for (const RoutingEntry& e : table.entries) {
    if (e.backend >= table.backend_slots) continue;
    in_table_[e.backend] = 1;
    table_backends_.push_back(e.backend);
    if (!model_.Has(e.backend)) {
      model_.AddServer(e.backend, e.weight, last_now_, admission);
    } else {
      model_.SetWeight(e.backend, e.weight);
      model_.SetHealthy(e.backend, true, last_now_);
    }
  }
  // Copy: RemoveServer and SetHealthy change the model's member list.
  std::vector<BackendIndex> members(model_.Members().begin(), model_.Members().end());
  for (BackendIndex b : members) {
    if (b >= table.backend_slots) {
      model_.RemoveServer(b, last_now_);
    } else if (!in_table_[b]) {
      model_.SetHealthy(b, false, last_now_);
    }
  }
  seen_table_ = true;
  pick_set_.reserve(table_backends_.size());
  RebuildPickSet();
}

void ThermalPolicy::RebuildPickSet() {
  pick_set_.clear();
  for (BackendIndex b : model_.InnerRing()) {
    if (InTable(b)) pick_set_.push_back(b);
  }
  if (!pick_set_.empty() || table_backends_.empty()) return;
  // Nothing inner is eligible: the coolest eligible server serves alone until a rotation fixes
  // the rings (the model promotes for real as soon as a healthy server exists).
  BackendIndex best = table_backends_.front();
  for (BackendIndex b : table_backends_) {
    if (model_.Temperature(b) < model_.Temperature(best)) best = b;
  }
  pick_set_.push_back(best);
}

std::optional<BackendIndex> ThermalPolicy::Pick(const PickContext& ctx) {
  const size_t n = pick_set_.size();
  if (n == 0) return std::nullopt;
  if (n == 1) return pick_set_.front();
  if (options_.pick == ThermalPickMode::kRoundRobin) return pick_set_[next_++ % n];
  // Power of two choices: two distinct random members, the one with fewer requests in flight
  // (the first drawn on a tie).
  const size_t i = static_cast<size_t>(ctx.rng.Below(n));
  size_t j = static_cast<size_t>(ctx.rng.Below(n - 1));
  if (j >= i) ++j;
  const BackendIndex a = pick_set_[i];
  const BackendIndex b = pick_set_[j];
  const uint32_t load_a = a < inflight_.size() ? inflight_[a] : 0;
  const uint32_t load_b = b < inflight_.size() ? inflight_[b] : 0;
  return load_b < load_a ? b : a;
}

void ThermalPolicy::SeeTime(TimePoint now) {
  if (!clock_started_) {
    clock_started_ = true;
    model_.StartClock(now);
  }
  last_now_ = std::max(last_now_, now);
}

void ThermalPolicy::OnSend(BackendIndex b, TimePoint now) {
  SeeTime(now);
  if (b < inflight_.size()) ++inflight_[b];
}

void ThermalPolicy::Observe(BackendIndex b, const Outcome& outcome, TimePoint now) {
  SeeTime(now);
  if (b < inflight_.size() && inflight_[b] > 0) --inflight_[b];
  if (outcome.ok) {
    model_.RecordLatency(b, outcome.latency, now);
  } else {
    model_.RecordError(b, now, outcome.latency);
  }
}

void ThermalPolicy::ObserveMetrics(BackendIndex b, const BackendMetrics& m) {
  model_.RecordMetrics(b, m);
}

void ThermalPolicy::ObserveProbe(BackendIndex b, const Outcome& o, TimePoint now) {
  SeeTime(now);
  model_.RecordProbe(b, o.latency, o.ok, now);
}

void ThermalPolicy::Tick(TimePoint now) {
  SeeTime(now);
  if (rotated_once_ && now - last_rotation_ < options_.rotation_interval) return;
  rotated_once_ = true;
  last_rotation_ = now;
  if (model_.Rotate(now).total() > 0 || pick_set_.empty()) RebuildPickSet();
}

void ThermalPolicy::ReportCluster(StatSink& sink) const {
  sink.Gauge("inner_count", static_cast<double>(model_.InnerRing().size()));
  sink.Gauge("outer_count", static_cast<double>(model_.outer_count()));
  sink.Gauge("fairness_gini", model_.FairnessGini(last_now_));
  sink.Gauge("heat_threshold", model_.heat());
  sink.Gauge("cool_threshold", model_.cool());
  sink.Gauge("p95_latency_ms", model_.ClusterP95LatencyMs());
}

void ThermalPolicy::ReportBackend(BackendIndex b, StatSink& sink) const {
  sink.Gauge("temperature", model_.Temperature(b));
  sink.Gauge("avg_latency_ms", model_.AvgLatencyMs(b));
  sink.Gauge("anomaly_score", model_.Anomaly(b));
  sink.Gauge("rotations_total", static_cast<double>(model_.Rotations(b)));
  sink.Gauge("inner", model_.IsInner(b) ? 1.0 : 0.0);
}

void ThermalPolicy::SetEventListener(PolicyEventListener listener) {
  listener_ = std::move(listener);
  if (!listener_) {
    model_.SetListener(nullptr);
    return;
  }
  model_.SetListener([this](const RotationEvent& e) {
    std::string kind;
    if (e.to == Ring::kInner) {
      kind = e.from == Ring::kNone ? "join" : "promote";
    } else if (e.to == Ring::kOuter) {
      kind = e.from == Ring::kNone ? "join" : "evict";
    } else {
      kind = "leave";
    }
    std::string reason(RotationReasonName(e.reason));
    reason += ": ";
    reason += e.text;
    listener_(PolicyEvent{e.at, e.backend, std::move(kind), std::move(reason)});
  });
}

}  // namespace huddle::core
