#include "core/control/gradient_controller.h"

#include <algorithm>
#include <cmath>

namespace huddle::core {

Result<GradientControllerOptions> GradientControllerOptions::Parse(const OptionMap& options) {
  GradientControllerOptions o;
  OptionReader r(options, "adaptive_concurrency");
  const OptionRange positive{.min = 0, .min_exclusive = true};
  o.sample_aggregate_percentile = r.Double("sample_aggregate_percentile",
                                           o.sample_aggregate_percentile, {.min = 0, .max = 100});
  o.concurrency_update_interval =
      r.Time("concurrency_update_interval", o.concurrency_update_interval, positive);
  o.max_concurrency_limit = static_cast<uint32_t>(
      r.Int("max_concurrency_limit", o.max_concurrency_limit, {.min = 1, .max = 1e9}));
  o.min_rtt_interval = r.Time("min_rtt_interval", o.min_rtt_interval, positive);
  o.min_rtt_request_count = static_cast<uint32_t>(
      r.Int("min_rtt_request_count", o.min_rtt_request_count, {.min = 1, .max = 1e9}));
  o.jitter_percent = r.Double("jitter_percent", o.jitter_percent, {.min = 0, .max = 100});
  o.min_concurrency =
      static_cast<uint32_t>(r.Int("min_concurrency", o.min_concurrency, {.min = 1, .max = 1e9}));
  o.buffer_percent = r.Double("buffer_percent", o.buffer_percent, {.min = 0, .max = 100});
  o.initial_limit =
      static_cast<uint32_t>(r.Int("initial_limit", o.initial_limit, {.min = 0, .max = 1e9}));
  o.min_rtt_limit_percent =
      r.Double("min_rtt_limit_percent", o.min_rtt_limit_percent, {.min = 0, .max = 100});
  if (o.min_concurrency > o.max_concurrency_limit) {
    r.Problem("min_concurrency must not exceed max_concurrency_limit");
  }
  if (o.initial_limit > o.max_concurrency_limit) {
    r.Problem("initial_limit must not exceed max_concurrency_limit");
  }
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

GradientController::GradientController(const GradientControllerOptions& options, TimePoint now)
    : options_(options),
      limit_(std::clamp(options.initial_limit, options.min_concurrency,
                        std::max(options.min_concurrency, options.max_concurrency_limit))),
      next_update_(now + options.concurrency_update_interval),
      next_min_rtt_(now) {
  if (options_.min_rtt_limit_percent > 0) {
    first_window_pending_ = true;
  } else {
    EnterMinRttWindow(limit_);
  }
}

void GradientController::EnterMinRttWindow(uint32_t base) {
  measuring_ = true;
  deferred_limit_ = limit_;
  const double pinned = std::floor(base * options_.min_rtt_limit_percent / 100.0);
  limit_ = std::max(options_.min_concurrency, static_cast<uint32_t>(pinned));
  samples_.Reset();
}

void GradientController::FinishMinRttWindow(TimePoint now, Random& random) {
  min_rtt_ = FromMillis(samples_.Quantile(options_.sample_aggregate_percentile / 100.0));
  samples_.Reset();
  measuring_ = false;
  consecutive_min_ = 0;
  limit_ = std::clamp(deferred_limit_, options_.min_concurrency, options_.max_concurrency_limit);
  const double jitter_s =
      ToSeconds(options_.min_rtt_interval) * options_.jitter_percent / 100.0 * random.UnitDouble();
  next_min_rtt_ = now + options_.min_rtt_interval + FromSeconds(jitter_s);
}

bool GradientController::TryAcquire() {
  if (in_flight_ >= limit_) return false;
  ++in_flight_;
  return true;
}

void GradientController::Cancel() {
  if (in_flight_ > 0) --in_flight_;
}

void GradientController::Release(Duration latency, TimePoint now, Random& random) {
  Cancel();
  samples_.Record(std::max(0.0, ToMillis(latency)));
  if (measuring_ && samples_.Count() >= options_.min_rtt_request_count) {
    FinishMinRttWindow(now, random);
  }
}

void GradientController::AddLatency(Duration latency, uint64_t count) {
  samples_.RecordN(std::max(0.0, ToMillis(latency)), count);
}

uint32_t GradientController::NewLimit() const {
  const double limit = limit_ * gradient_;
  const double next = std::floor(limit + std::sqrt(limit));  // sqrt(limit): burst headroom
  return static_cast<uint32_t>(std::clamp(next, static_cast<double>(options_.min_concurrency),
                                          static_cast<double>(options_.max_concurrency_limit)));
}

void GradientController::SetLimit(uint32_t limit) {
  limit_ = limit;
  consecutive_min_ = limit_ == options_.min_concurrency ? consecutive_min_ + 1 : 0;
}

void GradientController::Tick(TimePoint now, Random& random) {
  const uint32_t seen = std::max(in_flight_seen_, in_flight_);
  in_flight_seen_ = 0;
  if (first_window_pending_) {
    if (seen == 0 && samples_.Count() == 0) {
      next_update_ = now + options_.concurrency_update_interval;  // idle: nothing to update
      return;
    }
    first_window_pending_ = false;
    // Few requests in flight: holding them to half would shed for a long time (50 samples at 3
    // in flight) for little gain (so few rarely queue a backend): measure at half the limit.
    EnterMinRttWindow(seen >= 2 * options_.min_concurrency ? std::min(limit_, seen) : limit_);
    next_update_ = now + options_.concurrency_update_interval;
    return;
  }
  if (measuring_ && samples_.Count() >= options_.min_rtt_request_count) {
    FinishMinRttWindow(now, random);
  }
  if (!measuring_ && now >= next_min_rtt_) EnterMinRttWindow(limit_);
  while (now >= next_update_) {
    next_update_ += options_.concurrency_update_interval;
    if (measuring_ || samples_.Count() == 0) continue;
    sample_rtt_ = FromMillis(samples_.Quantile(options_.sample_aggregate_percentile / 100.0));
    samples_.Reset();
    const double min_rtt = ToSeconds(min_rtt_) * (1.0 + options_.buffer_percent / 100.0);
    gradient_ = std::clamp(min_rtt / std::max(ToSeconds(sample_rtt_), 1e-12), 0.5, 2.0);
    SetLimit(NewLimit());
    if (consecutive_min_ >= 5) {
      EnterMinRttWindow(limit_);
      break;
    }
  }
}

}  // namespace huddle::core
