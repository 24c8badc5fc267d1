#include "core/health/outlier_detector.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace huddle::core {
namespace {

// Fixed-size formatting for event details; only runs when a listener is set.
template <typename... Args>
std::string Format(const char* format, Args... args) {
  char buffer[192];
  std::snprintf(buffer, sizeof(buffer), format, args...);
  return buffer;
}

size_t Slot(OutlierReason reason) { return static_cast<size_t>(reason); }

}  // namespace

const char* OutlierReasonName(OutlierReason reason) {
  switch (reason) {
    case OutlierReason::kConsecutive5xx:
      return "consecutive_5xx";
    case OutlierReason::kConsecutiveGatewayFailure:
      return "consecutive_gateway_failure";
    case OutlierReason::kSuccessRate:
      return "success_rate";
    case OutlierReason::kFailurePercentage:
      return "failure_percentage";
    case OutlierReason::kEjectionTimeElapsed:
      return "ejection_time_elapsed";
    case OutlierReason::kActiveHealthCheck:
      return "active_health_check";
  }
  return "unknown";
}

OutlierDetector::OutlierDetector(OutlierDetectionOptions options)
    : options_(options),
      max_ejection_cap_(std::max(options.base_ejection_time, options.max_ejection_time)) {}

const OutlierDetector::Host* OutlierDetector::Find(BackendIndex backend) const {
  if (backend >= hosts_.size() || !hosts_[backend].present) return nullptr;
  return &hosts_[backend];
}

void OutlierDetector::AddHost(BackendIndex backend) {
  if (backend == kNoBackend) return;
  if (backend >= hosts_.size()) hosts_.resize(static_cast<size_t>(backend) + 1);
  if (hosts_[backend].present) return;
  hosts_[backend] = Host{};
  hosts_[backend].present = true;
  ++host_count_;
  success_rate_hosts_.reserve(host_count_);
  failure_percentage_hosts_.reserve(host_count_);
}

void OutlierDetector::RemoveHost(BackendIndex backend) {
  if (Find(backend) == nullptr) return;
  if (hosts_[backend].ejected) --ejected_count_;
  hosts_[backend] = Host{};
  --host_count_;
}

bool OutlierDetector::IsEjected(BackendIndex backend) const {
  const Host* h = Find(backend);
  return h != nullptr && h->ejected;
}

uint32_t OutlierDetector::TimesEjected(BackendIndex backend) const {
  const Host* h = Find(backend);
  return h == nullptr ? 0 : h->times_ejected;
}

uint32_t OutlierDetector::EjectionMultiplier(BackendIndex backend) const {
  const Host* h = Find(backend);
  return h == nullptr ? 0 : h->multiplier;
}

TimePoint OutlierDetector::EjectedUntil(BackendIndex backend) const {
  const Host* h = Find(backend);
  return h != nullptr && h->ejected ? h->ejected_until : TimePoint{};
}

bool OutlierDetector::EjectionAllowed() const {
  if (host_count_ == 0 || options_.max_ejection_percent == 0) return false;
  // The "at least one" rule: Envoy before PR #34796 allowed an ejection whenever the current
  // ejected share was below the cap, which always let the first one through.
  if (ejected_count_ == 0) return true;
  return (ejected_count_ + 1) * 100 <= options_.max_ejection_percent * host_count_;
}

uint32_t OutlierDetector::EnforcingPercent(OutlierReason reason) const {
  switch (reason) {
    case OutlierReason::kConsecutive5xx:
      return options_.enforcing_consecutive_5xx;
    case OutlierReason::kConsecutiveGatewayFailure:
      return options_.enforcing_consecutive_gateway_failure;
    case OutlierReason::kSuccessRate:
      return options_.enforcing_success_rate;
    case OutlierReason::kFailurePercentage:
      return options_.enforcing_failure_percentage;
    default:
      return 0;
  }
}

template <typename Why>
bool OutlierDetector::TryEject(BackendIndex backend, OutlierReason reason, TimePoint now,
                               Random& rng, Why why) {
  Host& h = hosts_[backend];
  if (h.ejected) return false;
  ++counters_.detected[Slot(reason)];
  if (!EjectionAllowed()) {
    ++counters_.overflow;
    return false;
  }
  const uint32_t enforcing = EnforcingPercent(reason);
  // No draw at 0 % or 100 %: the common settings then consume no randomness.
  if (enforcing == 0) return false;
  if (enforcing < 100 && rng.Below(100) >= enforcing) return false;

  const Duration base = options_.base_ejection_time;
  if (base * h.multiplier < max_ejection_cap_ + base) ++h.multiplier;
  Duration duration = std::min(base * h.multiplier, max_ejection_cap_);
  if (options_.max_ejection_time_jitter > Duration::zero()) {
    const auto span = static_cast<uint64_t>(options_.max_ejection_time_jitter.count()) + 1;
    duration += Duration(static_cast<Duration::rep>(rng.Below(span)));
  }
  h.ejected = true;
  h.ejected_until = now + duration;
  ++h.times_ejected;
  ++ejected_count_;
  ++counters_.enforced[Slot(reason)];
  if (listener_) {
    Emit(now, backend, true, reason,
         why() + Format("; ejected for %.3gs (multiplier %u)", ToSeconds(duration), h.multiplier));
  }
  return true;
}

void OutlierDetector::Uneject(BackendIndex backend, OutlierReason reason, TimePoint now) {
  Host& h = hosts_[backend];
  h.ejected = false;
  h.was_unejected = true;
  h.last_unejected = now;
  // Fresh streaks, as Envoy does: a streak left close to its threshold would otherwise eject the
  // host again on one or two new errors.
  h.consecutive_5xx = 0;
  h.consecutive_gateway = 0;
  --ejected_count_;
  ++counters_.unejections;
  if (listener_) {
    Emit(now, backend, false, reason,
         reason == OutlierReason::kActiveHealthCheck
             ? std::string("an active health check passed")
             : Format("ejection time over after %u ejection(s)", h.times_ejected));
  }
}

void OutlierDetector::Observe(BackendIndex backend, const Outcome& outcome, TimePoint now,
                              Random& rng) {
  if (Find(backend) == nullptr || outcome.failure == FailureKind::kLocal) return;
  Host& h = hosts_[backend];
  ++h.interval_requests;
  const bool failed = !outcome.ok || outcome.Is5xx();
  if (!failed) {
    ++h.interval_successes;
    h.consecutive_5xx = 0;
    h.consecutive_gateway = 0;
    return;
  }
  // An ejected host may still see traffic (requests in flight, panic mode); it counts toward the
  // success rate of the interval but cannot be ejected twice, so its streaks wait for un-ejection.
  if (h.ejected) return;
  if (outcome.IsGatewayError()) {
    if (++h.consecutive_gateway >= options_.consecutive_gateway_failure) {
      h.consecutive_gateway = 0;
      TryEject(backend, OutlierReason::kConsecutiveGatewayFailure, now, rng, [&] {
        return Format("%u consecutive gateway failures", options_.consecutive_gateway_failure);
      });
    }
  } else {
    h.consecutive_gateway = 0;
  }
  if (h.ejected) return;
  if (++h.consecutive_5xx >= options_.consecutive_5xx) {
    h.consecutive_5xx = 0;
    TryEject(backend, OutlierReason::kConsecutive5xx, now, rng,
             [&] { return Format("%u consecutive 5xx", options_.consecutive_5xx); });
  }
}

void OutlierDetector::ObserveActiveCheckSuccess(BackendIndex backend, TimePoint now) {
  const Host* h = Find(backend);
  if (h == nullptr || !h->ejected || !options_.successful_active_health_check_uneject_host) return;
  Uneject(backend, OutlierReason::kActiveHealthCheck, now);
}

void OutlierDetector::Tick(TimePoint now, Random& rng) {
  for (BackendIndex b = 0; b < hosts_.size(); ++b) {
    const Host& h = hosts_[b];
    if (h.present && h.ejected && now >= h.ejected_until) {
      Uneject(b, OutlierReason::kEjectionTimeElapsed, now);
    }
  }
  if (!clock_started_) {
    clock_started_ = true;
    next_sweep_ = now + options_.interval;
    return;
  }
  if (now < next_sweep_) return;
  Sweep(now, rng);
  // Stay on the grid of interval boundaries; after a long pause, skip the missed ones rather than
  // running a burst of empty sweeps.
  next_sweep_ += options_.interval * ((now - next_sweep_) / options_.interval + 1);
}

void OutlierDetector::Sweep(TimePoint now, Random& rng) {
  success_rate_hosts_.clear();
  failure_percentage_hosts_.clear();
  for (BackendIndex b = 0; b < hosts_.size(); ++b) {
    Host& h = hosts_[b];
    if (!h.present) continue;
    const uint64_t requests = h.interval_requests;
    const uint64_t successes = h.interval_successes;
    h.interval_requests = 0;
    h.interval_successes = 0;
    if (h.ejected) continue;
    if (h.multiplier > 0 && h.was_unejected && now - h.last_unejected >= options_.interval) {
      --h.multiplier;
    }
    if (requests == 0) continue;
    const double success_percent =
        100.0 * static_cast<double>(successes) / static_cast<double>(requests);
    if (requests >= options_.success_rate_request_volume) {
      success_rate_hosts_.push_back({b, success_percent});
    }
    if (requests >= options_.failure_percentage_request_volume) {
      failure_percentage_hosts_.push_back({b, success_percent});
    }
  }

  last_sweep_ = SuccessRateSweep{success_rate_hosts_.size(), -1, -1};
  if (!success_rate_hosts_.empty() &&
      success_rate_hosts_.size() >= options_.success_rate_minimum_hosts) {
    // Envoy's successRateEjectionThreshold: mean and population standard deviation of the
    // qualifying hosts' success rates, in percent.
    double sum = 0;
    for (const Rated& r : success_rate_hosts_) sum += r.success_percent;
    const double n = static_cast<double>(success_rate_hosts_.size());
    const double mean = sum / n;
    double squares = 0;
    for (const Rated& r : success_rate_hosts_) {
      squares += (r.success_percent - mean) * (r.success_percent - mean);
    }
    const double stdev = std::sqrt(squares / n);
    const double threshold = mean - options_.success_rate_stdev_factor / 1000.0 * stdev;
    last_sweep_.mean = mean;
    last_sweep_.threshold = threshold;
    for (const Rated& r : success_rate_hosts_) {
      if (r.success_percent < threshold) {
        TryEject(r.backend, OutlierReason::kSuccessRate, now, rng, [&] {
          return Format(
              "success rate %.1f%% below threshold %.1f%% (mean %.1f%%, stdev %.1f, %zu hosts)",
              r.success_percent, threshold, mean, stdev, success_rate_hosts_.size());
        });
      }
    }
  }

  if (!failure_percentage_hosts_.empty() &&
      failure_percentage_hosts_.size() >= options_.failure_percentage_minimum_hosts) {
    for (const Rated& r : failure_percentage_hosts_) {
      const double failure_percent = 100.0 - r.success_percent;
      if (failure_percent >= options_.failure_percentage_threshold) {
        TryEject(r.backend, OutlierReason::kFailurePercentage, now, rng, [&] {
          return Format("failure percentage %.1f%% at or above %u%%", failure_percent,
                        options_.failure_percentage_threshold);
        });
      }
    }
  }
}

void OutlierDetector::Emit(TimePoint now, BackendIndex backend, bool ejected, OutlierReason reason,
                           std::string detail) {
  listener_(OutlierEvent{now, backend, ejected, reason, std::move(detail)});
}

}  // namespace huddle::core
