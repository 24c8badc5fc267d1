#pragma once

#include <cstdint>

#include "core/error.h"
#include "core/options.h"
#include "core/random.h"
#include "core/stats/log_histogram.h"
#include "core/time.h"

namespace huddle::core {

// Option keys (Envoy's adaptive_concurrency GradientControllerConfig names and defaults):
// sample_aggregate_percentile, concurrency_update_interval, max_concurrency_limit,
// min_rtt_interval, min_rtt_request_count, jitter_percent, min_concurrency, buffer_percent;
// and two of huddle's, whose defaults (0) keep Envoy's behaviour:
// - initial_limit: the limit before any sample (0: min_concurrency, as Envoy). A proxy that must
//   not shed while it knows nothing starts at max_concurrency_limit.
// - min_rtt_limit_percent: the limit during a minRTT window, as a percentage of the limit in
//   force (never below min_concurrency; 0: pinned at min_concurrency, as Envoy). Half the limit
//   still keeps the backend out of its queue (the limit settles near (1 + buffer) x its real
//   concurrency), so minRTT is measured without shedding everything above 3 requests. With it,
//   the first window does not open at construction but at the first Tick() that sees traffic,
//   and takes its percentage of the concurrency seen then (ObserveInFlight(), or the requests
//   TryAcquire() holds) when that is at least 2 x min_concurrency: the initial limit is a
//   guess, and a window at half of it would measure a backend already queueing (a proxy
//   started under overload) and never correct it. Below that, of the limit (nothing held).
struct GradientControllerOptions {
  double sample_aggregate_percentile = 50.0;
  Duration concurrency_update_interval = FromMillis(100);
  uint32_t max_concurrency_limit = 1000;
  Duration min_rtt_interval = FromSeconds(60);
  uint32_t min_rtt_request_count = 50;
  double jitter_percent = 15.0;
  uint32_t min_concurrency = 3;
  double buffer_percent = 25.0;
  uint32_t initial_limit = 0;
  double min_rtt_limit_percent = 0.0;

  static Result<GradientControllerOptions> Parse(const OptionMap& options);
};

// Envoy's adaptive concurrency gradient controller
// (source/extensions/filters/http/adaptive_concurrency/controller/gradient_controller.cc) as a
// pure state machine; time and randomness are passed in:
// - minRTT window: the limit is pinned at min_concurrency until min_rtt_request_count latencies
//   are in; minRTT = their sample percentile; then the previous limit is restored and the next
//   window is scheduled min_rtt_interval + U[0, jitter) later. The controller starts in one.
// - every concurrency_update_interval (Tick): sampleRTT = percentile of the window's latencies;
//   gradient = clamp(minRTT (1 + buffer) / sampleRTT, 0.5, 2); L' = L gradient;
//   limit = clamp(floor(L' + sqrt(L')), min_concurrency, max_concurrency_limit).
//   An empty window changes nothing.
// - five consecutive updates that leave the limit at min_concurrency start a minRTT window early.
// - TryAcquire() admits while in-flight < limit; a caller that counts in-flight requests itself
//   (the proxy's workers) feeds latencies in batches with AddLatency() and reads limit(). Latencies
//   are kept in a LogHistogram (1 % relative error), so sample percentiles are within 1 % of
//   Envoy's exact ones.
// Memory fixed at construction; no allocation afterwards. Not thread-safe (one per worker, or
// the caller serialises).
class GradientController {
 public:
  GradientController(const GradientControllerOptions& options, TimePoint now);

  // True (and counts the request as in flight) if a request may be sent now.
  bool TryAcquire();
  // A request admitted by TryAcquire() finished after `latency`.
  void Release(Duration latency, TimePoint now, Random& random);
  // A request admitted by TryAcquire() ended without a usable latency (reset, local error).
  void Cancel();
  // `count` requests (admitted elsewhere) finished after `latency` each; no in-flight change.
  // A batch: a min-RTT window that has enough samples closes at the next Tick(), on the whole
  // batch (closing it mid-batch would bias minRTT by the order of the batch).
  void AddLatency(Duration latency, uint64_t count);
  // Runs the update and minRTT timers that are due at `now`.
  void Tick(TimePoint now, Random& random);
  // For a caller that counts in-flight requests itself: the concurrency seen since the last
  // Tick() (the highest value is kept until then).
  void ObserveInFlight(uint32_t in_flight) {
    in_flight_seen_ = in_flight > in_flight_seen_ ? in_flight : in_flight_seen_;
  }

  uint32_t limit() const { return limit_; }
  uint32_t in_flight() const { return in_flight_; }
  Duration min_rtt() const { return min_rtt_; }
  Duration sample_rtt() const { return sample_rtt_; }
  double gradient() const { return gradient_; }
  bool measuring_min_rtt() const { return measuring_; }
  TimePoint next_min_rtt_window() const { return next_min_rtt_; }

 private:
  // The window's limit is min_rtt_limit_percent of `base` (the limit in force, or the
  // concurrency seen for the first window).
  void EnterMinRttWindow(uint32_t base);
  void FinishMinRttWindow(TimePoint now, Random& random);
  void SetLimit(uint32_t limit);
  uint32_t NewLimit() const;

  GradientControllerOptions options_;
  LogHistogram samples_;  // latency in ms
  uint32_t limit_;
  uint32_t deferred_limit_ = 0;
  uint32_t in_flight_ = 0;
  uint32_t consecutive_min_ = 0;
  uint32_t in_flight_seen_ = 0;
  bool measuring_ = false;
  bool first_window_pending_ = false;  // min_rtt_limit_percent > 0 and no traffic seen yet
  Duration min_rtt_{};
  Duration sample_rtt_{};
  double gradient_ = 1.0;
  TimePoint next_update_;
  TimePoint next_min_rtt_;
};

}  // namespace huddle::core
