#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/backend.h"
#include "core/stats/sliding_window.h"
#include "core/thermal/adaptive_thresholds.h"
#include "core/thermal/rotation_event.h"
#include "core/thermal/thermal_options.h"
#include "core/time.h"

namespace huddle::core {

// The HuddleCluster temperature model and its two rings (docs/thermal.md has the full story).
//
// Servers in the inner ring take traffic; servers in the outer ring rest. Each server has a
// temperature T in [0, 1], updated once per Rotate() (not per sample, so T moves at the same pace
// for a busy and an idle server):
//   raw = 0.70 L + 0.10 cpu + 0.10 min(conns/1000, 1) + 0.05 mem + 0.05 err;  T = a raw + (1-a) T
// where L, the latency score, is the relative anomaly clamp((avg/median - 1)/2, 0, 1) against the
// median mean latency of the inner ring, or 1 when avg is above the absolute floor. An inner
// server is scored on its request latencies; an outer server (or an inner one that got no request
// since the last rotation) on its health-check probe latencies against the inner ring's probe
// median. Evidence that gets no news ages: L and err lose half their weight per
// stale_evidence_half_life, so a server nobody probes still comes back to be retried, with
// exponential backoff if it keeps getting evicted.
//
// Rotate() then evicts, in this order: servers over the error-rate breaker; hot servers (at most
// max(1, |inner|/3) per rotation, never below min_inner, respecting rotation_cooldown); promotes
// the coolest outer servers that are at or below cool after their dwell (or cold-start) time; and
// if the inner ring is below min_inner, promotes the coolest healthy servers regardless.
//
// Units: latencies in ms inside, Duration at the API. Time is passed in. Not thread-safe.
// RecordLatency, RecordError, RecordProbe and RecordMetrics are O(1) and never allocate; Rotate
// allocates only to format event texts when a listener is set.
class ThermalModel {
 public:
  enum class Admission : uint8_t {
    kColdStart,  // wait cold_start in the outer ring (inner at once when cold_start is 0)
    kImmediate,  // straight into the inner ring (servers present when the cluster starts)
  };

  explicit ThermalModel(const ThermalOptions& options);
  ThermalModel(const ThermalModel&) = delete;
  ThermalModel& operator=(const ThermalModel&) = delete;

  // Ring changes are reported here synchronously. The listener must not call into the model.
  void SetListener(RotationListener listener) { listener_ = std::move(listener); }

  // Membership. Adding a present server or removing an absent one does nothing. Every change
  // keeps the inner ring at min_inner when enough healthy servers exist (a newcomer in cold start
  // joins at once if the ring would otherwise be short). REQUIRES: weight > 0.
  void AddServer(BackendIndex b, double weight, TimePoint now,
                 Admission admission = Admission::kColdStart);
  void RemoveServer(BackendIndex b, TimePoint now);
  void SetWeight(BackendIndex b, double weight);
  // Moves every join time earlier than `now` to `now`. For a body that builds the model before it
  // knows the time (Policy::Update has no clock): call once, at the first real time, so that the
  // fairness shares are not measured from a placeholder epoch.
  void StartClock(TimePoint now);
  // Unhealthy servers leave the inner ring at once (even below min_inner, which the emergency
  // step then restores from healthy servers) and are never promoted until healthy again.
  void SetHealthy(BackendIndex b, bool healthy, TimePoint now);

  // Evidence. A request that failed counts for the error rate (EWMA of the failure indicator)
  // and as a latency sample of at least failure_latency_factor x the last cluster median, so a
  // server that fails fast does not look fast. Unknown servers are ignored.
  void RecordLatency(BackendIndex b, Duration latency, TimePoint now);
  void RecordError(BackendIndex b, TimePoint now, Duration latency = Duration::zero());
  void RecordMetrics(BackendIndex b, const BackendMetrics& metrics);
  // A health-check result: the evidence that lets an outer server cool (or stay hot).
  void RecordProbe(BackendIndex b, Duration latency, bool ok, TimePoint now);

  // Updates every temperature, then evicts and promotes. Call at a fixed interval.
  RotationCounts Rotate(TimePoint now);

  // Inner servers in ring order (order of entry).
  std::span<const BackendIndex> InnerRing() const { return inner_; }
  // Present servers in order of addition.
  std::span<const BackendIndex> Members() const { return members_; }
  bool Has(BackendIndex b) const { return Find(b) != nullptr; }
  bool IsInner(BackendIndex b) const;
  bool IsHealthy(BackendIndex b) const;
  size_t outer_count() const { return members_.size() - inner_.size(); }

  // Per-server state, 0 for unknown servers.
  double Temperature(BackendIndex b) const;
  // The latency score L used in the last temperature update (relative anomaly, 1 above the
  // absolute floor, aged when stale).
  double Anomaly(BackendIndex b) const;
  double AvgLatencyMs(BackendIndex b) const;  // mean of the request window
  double P95LatencyMs(BackendIndex b) const;  // P95 of the request window (interpolated)
  double ErrorRate(BackendIndex b) const;     // EWMA as of the last outcome (not aged)
  uint64_t Rotations(BackendIndex b) const;   // ring changes (evictions plus promotions)

  // Current thresholds (the adaptive ones when enabled).
  double heat() const;
  double cool() const;

  // Gini coefficient of the share of its life each present server has spent in the inner ring,
  // accrued continuously up to `now`: 0 when every server has been inner all along. Allocates.
  double FairnessGini(TimePoint now) const;
  // Mean of the inner servers' request P95, as of the last Rotate (0 before any data).
  double ClusterP95LatencyMs() const { return cluster_p95_ms_; }
  // Median mean request latency of the inner ring, as of the last Rotate (0 before any data).
  double ClusterMedianLatencyMs() const { return request_baseline_ms_; }

  const ThermalOptions& options() const { return options_; }

 private:
  struct Server {
    Server(BackendIndex index, const ThermalOptions& o)
        : backend(index),
          requests(static_cast<size_t>(o.latency_window)),
          probes(static_cast<size_t>(o.probe_window)) {}

    BackendIndex backend;
    bool healthy = true;
    bool inner = false;
    bool cold_start = false;  // admitted with Admission::kColdStart
    bool evicted_once = false;
    bool rotated_once = false;
    bool new_request = false;  // request samples arrived since the last Rotate
    bool new_probe = false;    // probe samples arrived since the last Rotate
    double weight = 1.0;

    TimePoint added_at{};
    TimePoint last_rotated{};  // last ring change (for the cooldown)
    TimePoint evicted_at{};    // last eviction (for the dwell)
    TimePoint inner_since{};
    double inner_seconds = 0.0;  // accrued over finished inner stints

    SlidingWindow requests;  // ms; cleared when promoted (those samples are from the last stint)
    SlidingWindow probes;    // ms
    uint64_t requests_since_promotion = 0;

    double error_rate = 0.0;  // EWMA of the failure indicator, per outcome
    TimePoint error_at{};     // time of the last outcome (request or probe)
    double cpu = 0.0;
    double memory = 0.0;
    double connections = 0.0;

    double latency_score = 0.0;  // L measured from the last fresh evidence
    TimePoint latency_score_at{};
    double effective_score = 0.0;  // L after ageing, as used in the last update
    double evidence_avg_ms = 0.0;  // mean latency behind latency_score
    bool floor_breach = false;     // fresh evidence above the absolute floor
    double temperature = 0.0;
    uint64_t rotations = 0;
    int strikes = 0;  // evictions for heat since the server last proved cool under traffic
  };

  Server* Find(BackendIndex b);
  const Server* Find(BackendIndex b) const;
  double StaleHalfLifeSeconds(const Server& s) const;
  double AgedErrorRate(const Server& s, TimePoint now) const;
  double FailureSampleMs(double baseline_ms, Duration observed) const;
  double Score(double avg_ms, double baseline_ms) const;
  double HeatFor(const Server& s) const;
  bool BreakerTripped(const Server& s, TimePoint now) const;
  bool InColdStart(const Server& s, TimePoint now) const;

  void UpdateTemperatures(TimePoint now);
  int EvictForErrors(TimePoint now);
  int EvictHot(TimePoint now);
  int PromoteCooled(TimePoint now);
  int RestoreMinInner(TimePoint now);

  void Evict(Server& s, TimePoint now, RotationReason reason);
  void Promote(Server& s, TimePoint now, RotationReason reason);
  void Emit(const Server& s, TimePoint now, Ring from, Ring to, RotationReason reason);

  ThermalOptions options_;
  std::optional<AdaptiveThresholds> adaptive_;
  RotationListener listener_;

  std::vector<std::optional<Server>> servers_;  // indexed by BackendIndex
  std::vector<BackendIndex> members_;
  std::vector<BackendIndex> inner_;
  std::vector<BackendIndex> candidates_;  // scratch for Rotate
  std::vector<double> scratch_;           // scratch for the baselines

  double request_baseline_ms_ = 0.0;
  double probe_baseline_ms_ = 0.0;
  double cluster_p95_ms_ = 0.0;
};

}  // namespace huddle::core
