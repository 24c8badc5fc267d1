#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/backend.h"
#include "core/health/outlier_detection_options.h"
#include "core/random.h"
#include "core/time.h"

namespace huddle::core {

// Why a host was ejected or brought back.
enum class OutlierReason : uint8_t {
  kConsecutive5xx,             // ejection: a streak of consecutive_5xx failures
  kConsecutiveGatewayFailure,  // ejection: a streak of consecutive_gateway_failure 502/503/504s
  kSuccessRate,                // ejection: success rate below mean − factor·stdev at a sweep
  kFailurePercentage,          // ejection: failure percentage at or above threshold at a sweep
  kEjectionTimeElapsed,        // un-ejection: its ejection time is over
  kActiveHealthCheck,          // un-ejection: an active health check passed
};
inline constexpr size_t kOutlierDetectorCount = 4;  // the first four reasons
// Stable snake_case name ("consecutive_5xx", ...), for stats and logs.
const char* OutlierReasonName(OutlierReason reason);

// One ejection or un-ejection, as the listener sees it.
struct OutlierEvent {
  TimePoint at{};
  BackendIndex backend = kNoBackend;
  bool ejected = false;  // true: ejected; false: brought back
  OutlierReason reason = OutlierReason::kConsecutive5xx;
  std::string detail;  // one plain-English line with the figures that decided it
};

// Counters in the spirit of Envoy's outlier_detection.* stats, indexed by detector
// (static_cast<size_t>(OutlierReason) for the first four reasons).
struct OutlierCounters {
  uint64_t detected[kOutlierDetectorCount] = {};  // a detector fired (before the cap and the draw)
  uint64_t enforced[kOutlierDetectorCount] = {};  // ... and the host was really ejected
  uint64_t overflow = 0;                          // detections refused by max_ejection_percent
  uint64_t unejections = 0;                       // hosts brought back, for any reason
};

// The figures of the last success-rate sweep; mean and threshold are -1 when the sweep had fewer
// than success_rate_minimum_hosts hosts with enough requests (Envoy reports -1 the same way).
struct SuccessRateSweep {
  size_t hosts = 0;
  double mean = -1;       // percent
  double threshold = -1;  // percent
};

// Outlier detection as Envoy defines it (arch_overview/upstream/outlier, outlier_detection.proto),
// for one cluster:
// - Per request, Observe() feeds two streak detectors: consecutive_5xx (any failure: 5xx status,
//   transport failure, or ok == false) and consecutive_gateway_failure (502/503/504 and transport
//   failures; a non-gateway 5xx breaks that streak). A success breaks both. A streak that reaches
//   its threshold tries to eject the host at once and restarts from 0 whatever the result.
// - Every `interval`, Tick() sweeps: hosts with at least success_rate_request_volume requests in
//   the interval, if there are at least success_rate_minimum_hosts of them, are ejected when their
//   success rate is below mean − (success_rate_stdev_factor / 1000) · stdev (population stdev);
//   then hosts with at least failure_percentage_request_volume requests, if there are at least
//   failure_percentage_minimum_hosts of them, are ejected when their failure percentage is at or
//   above failure_percentage_threshold. Ejected hosts take no part in a sweep.
// - An ejection lasts min(base_ejection_time × multiplier, max(base, max_ejection_time)) plus a
//   jitter drawn uniformly from [0, max_ejection_time_jitter]. The multiplier (starting at 0) grows
//   by 1 at each ejection while base × multiplier < max(base, max) + base, and drops by 1 at each
//   sweep that finds the host un-ejected for at least a whole interval.
// - Cap: no new ejection when (ejected + 1) / hosts would exceed max_ejection_percent, except that
//   one host is always ejectable when none is ejected (so 10 % of 5 hosts still ejects one).
//   max_ejection_percent = 0 turns ejection off altogether.
// - Each enforcement is a draw: Below(100) < enforcing_* (no draw at 0 or 100 %).
// - Un-ejection: at any Tick() once the ejection time is over, or on ObserveActiveCheckSuccess()
//   when successful_active_health_check_uneject_host. Streaks restart from 0 on un-ejection.
//
// Time: Tick() may be called at any rate (every 100 ms by the control loop, say). The first call
// starts the interval clock: boundaries fall at first + k·interval, and a sweep runs on the first
// Tick() at or after each one (boundaries missed during a pause are skipped, so one sweep then
// covers the whole pause). Un-ejection is checked at every Tick(), as precise as the tick rate.
//
// Hosts are identified by BackendIndex; per-host arrays are sized by AddHost(), and calls about
// an index that was never added (or was removed) are ignored. Observe() does not allocate, except
// for the event's detail string when a listener is set and the call ejects the host.
// Not thread-safe: one instance per cluster, owned by the control thread. Not copyable.
class OutlierDetector {
 public:
  using Listener = std::function<void(const OutlierEvent&)>;

  explicit OutlierDetector(OutlierDetectionOptions options);
  OutlierDetector(const OutlierDetector&) = delete;
  OutlierDetector& operator=(const OutlierDetector&) = delete;

  // Starts tracking `backend` with a clean state (no-op when already tracked).
  void AddHost(BackendIndex backend);
  // Stops tracking `backend`; an ejected host leaves the ejected count.
  void RemoveHost(BackendIndex backend);

  // Records one request's outcome. Outcomes with FailureKind::kLocal (the proxy itself gave up)
  // say nothing about the backend and are ignored. May eject at once (streak detectors).
  void Observe(BackendIndex backend, const Outcome& outcome, TimePoint now, Random& rng);
  // An active health check of `backend` passed; un-ejects it when the option says so.
  void ObserveActiveCheckSuccess(BackendIndex backend, TimePoint now);
  // Un-ejects hosts whose time is over; at each interval boundary runs the sweep (multiplier
  // decrement, success rate, failure percentage) and starts a new interval of counts.
  void Tick(TimePoint now, Random& rng);

  bool IsEjected(BackendIndex backend) const;
  size_t EjectedCount() const { return ejected_count_; }
  size_t HostCount() const { return host_count_; }
  // Ejections of this host since it was added (never decreases).
  uint32_t TimesEjected(BackendIndex backend) const;
  // The current backoff multiplier (Envoy's ejectTimeBackoff): the next ejection lasts
  // base × (multiplier + 1), capped.
  uint32_t EjectionMultiplier(BackendIndex backend) const;
  // When an ejected host is due back (time_since_epoch 0 when not ejected).
  TimePoint EjectedUntil(BackendIndex backend) const;
  // Whether the max_ejection_percent cap would allow one more ejection now.
  bool EjectionAllowed() const;

  const OutlierCounters& counters() const { return counters_; }
  const SuccessRateSweep& last_success_rate_sweep() const { return last_sweep_; }
  const OutlierDetectionOptions& options() const { return options_; }

  void SetListener(Listener listener) { listener_ = std::move(listener); }

 private:
  struct Host {
    bool present = false;
    bool ejected = false;
    bool was_unejected = false;  // last_unejected is meaningful
    uint32_t consecutive_5xx = 0;
    uint32_t consecutive_gateway = 0;
    uint32_t multiplier = 0;
    uint32_t times_ejected = 0;
    uint64_t interval_requests = 0;
    uint64_t interval_successes = 0;
    TimePoint ejected_until{};
    TimePoint last_unejected{};
  };
  // A host that qualified for a sweep, with its success rate in percent.
  struct Rated {
    BackendIndex backend;
    double success_percent;
  };

  const Host* Find(BackendIndex backend) const;
  uint32_t EnforcingPercent(OutlierReason reason) const;
  // Tries to eject `backend` for `reason`: counts the detection, applies the cap and the
  // enforcement draw, sets the ejection time. `why` is called only when a listener will see it.
  template <typename Why>
  bool TryEject(BackendIndex backend, OutlierReason reason, TimePoint now, Random& rng, Why why);
  void Uneject(BackendIndex backend, OutlierReason reason, TimePoint now);
  void Sweep(TimePoint now, Random& rng);
  void Emit(TimePoint now, BackendIndex backend, bool ejected, OutlierReason reason,
            std::string detail);

  // Constant after construction.
  const OutlierDetectionOptions options_;
  const Duration max_ejection_cap_;  // max(base_ejection_time, max_ejection_time)

  std::vector<Host> hosts_;  // indexed by BackendIndex
  size_t host_count_ = 0;
  size_t ejected_count_ = 0;
  bool clock_started_ = false;
  TimePoint next_sweep_{};
  std::vector<Rated> success_rate_hosts_;  // sweep scratch, capacity kept by AddHost
  std::vector<Rated> failure_percentage_hosts_;
  OutlierCounters counters_;
  SuccessRateSweep last_sweep_;
  Listener listener_;
};

}  // namespace huddle::core
