#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/policy/policy.h"
#include "core/thermal/thermal_model.h"
#include "core/thermal/thermal_options.h"

namespace huddle::core {

// Policy "thermal": HuddleCluster's ring rotation behind the Policy interface. Owns a
// ThermalModel; picks among the inner ring's servers that are also in the routing table
// (round-robin as the seed, or least-request: power of two choices on in-flight counts), and when
// no inner server is eligible picks the coolest eligible server.
//
// Membership follows the table: a backend that appears is added (cold start applies, except to
// the backends of the very first table, which are the cluster as it starts); a backend that
// disappears is marked unhealthy (its history is kept: it left for health, ejection or drain) or
// removed when its index is beyond backend_slots. Table weights are the thermal weights. Update
// has no clock, so it uses the latest time the policy has seen (Tick, Observe, probes).
//
// Tick(now) rotates every rotation_interval (default 1 s: the proxy ticks every 100 ms, and the
// model's alpha is per rotation). Not thread-safe; Pick, OnSend and Observe never allocate.
class ThermalPolicy final : public Policy {
 public:
  static Result<std::unique_ptr<Policy>> Create(const OptionMap& options);
  explicit ThermalPolicy(const ThermalOptions& options);

  std::string_view Name() const override { return "thermal"; }
  void Update(const RoutingTable& table) override;
  std::optional<BackendIndex> Pick(const PickContext& ctx) override;
  void OnSend(BackendIndex b, TimePoint now) override;
  void Observe(BackendIndex b, const Outcome& outcome, TimePoint now) override;
  void ObserveMetrics(BackendIndex b, const BackendMetrics& m) override;
  void ObserveProbe(BackendIndex b, const Outcome& o, TimePoint now) override;
  void Tick(TimePoint now) override;
  // Gauges: inner_count, outer_count, fairness_gini, heat_threshold, cool_threshold,
  // p95_latency_ms.
  void ReportCluster(StatSink& sink) const override;
  // Gauges: temperature, avg_latency_ms, anomaly_score, rotations_total, inner (1/0).
  void ReportBackend(BackendIndex b, StatSink& sink) const override;
  void SetEventListener(PolicyEventListener listener) override;

  const ThermalModel& model() const { return model_; }

 private:
  // Recomputes the pick set (inner ring ∩ table, or the coolest table entry) after any change.
  void RebuildPickSet();
  bool InTable(BackendIndex b) const { return b < in_table_.size() && in_table_[b] != 0; }
  // Remembers the latest time seen; the first one starts the model's fairness clock.
  void SeeTime(TimePoint now);

  ThermalOptions options_;
  ThermalModel model_;
  PolicyEventListener listener_;

  std::vector<uint8_t> in_table_;   // by BackendIndex
  std::vector<uint32_t> inflight_;  // by BackendIndex
  std::vector<BackendIndex> table_backends_;
  std::vector<BackendIndex> pick_set_;
  uint64_t next_ = 0;  // round-robin position
  bool seen_table_ = false;
  bool rotated_once_ = false;
  bool clock_started_ = false;
  TimePoint last_now_{};
  TimePoint last_rotation_{};
};

}  // namespace huddle::core
