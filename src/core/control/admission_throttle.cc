#include "core/control/admission_throttle.h"

#include <algorithm>
#include <cmath>

namespace huddle::core {

Result<AdmissionOptions> AdmissionOptions::Parse(const OptionMap& options) {
  AdmissionOptions o;
  OptionReader r(options, "admission_control");
  o.window = r.Time("window", o.window, {.min = 0, .min_exclusive = true});
  o.buckets = static_cast<size_t>(
      r.Int("buckets", static_cast<int64_t>(o.buckets), {.min = 1, .max = 10000}));
  o.success_threshold = r.Double("success_threshold", o.success_threshold,
                                 {.min = 0, .max = 1, .min_exclusive = true});
  o.aggression = r.Double("aggression", o.aggression, {.min = 0, .min_exclusive = true});
  o.max_rejection_probability =
      r.Double("max_rejection_probability", o.max_rejection_probability, {.min = 0, .max = 1});
  o.min_requests = static_cast<uint64_t>(
      r.Int("min_requests", static_cast<int64_t>(o.min_requests), {.min = 0}));
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

AdmissionThrottle::AdmissionThrottle(const AdmissionOptions& options)
    : options_(options),
      bucket_width_(
          std::max<Duration>(options.window / std::max<size_t>(options.buckets, 1), Duration(1))),
      requests_(std::max<size_t>(options.buckets, 1)),
      accepts_(requests_.size()),
      numbers_(requests_.size(), -1) {}

int64_t AdmissionThrottle::BucketNumber(TimePoint now) const {
  return now.time_since_epoch() / bucket_width_;
}

size_t AdmissionThrottle::Slot(TimePoint now) {
  const int64_t number = BucketNumber(now);
  const size_t slot = static_cast<size_t>(number % static_cast<int64_t>(requests_.size()));
  if (numbers_[slot] != number) {
    numbers_[slot] = number;
    requests_[slot] = 0;
    accepts_[slot] = 0;
  }
  return slot;
}

uint64_t AdmissionThrottle::Requests(TimePoint now) const {
  const int64_t current = BucketNumber(now);
  const auto k = static_cast<int64_t>(requests_.size());
  uint64_t sum = 0;
  for (size_t i = 0; i < requests_.size(); ++i) {
    if (numbers_[i] > current - k && numbers_[i] <= current) sum += requests_[i];
  }
  return sum;
}

uint64_t AdmissionThrottle::Accepts(TimePoint now) const {
  const int64_t current = BucketNumber(now);
  const auto k = static_cast<int64_t>(accepts_.size());
  uint64_t sum = 0;
  for (size_t i = 0; i < accepts_.size(); ++i) {
    if (numbers_[i] > current - k && numbers_[i] <= current) sum += accepts_[i];
  }
  return sum;
}

double AdmissionThrottle::RejectProbability(TimePoint now) const {
  const double requests = static_cast<double>(Requests(now));
  if (requests < static_cast<double>(options_.min_requests)) return 0.0;
  const double accepts = static_cast<double>(Accepts(now));
  const double base =
      std::max(0.0, (requests - accepts / options_.success_threshold) / (requests + 1.0));
  const double p = options_.aggression == 1.0 ? base : std::pow(base, 1.0 / options_.aggression);
  return std::min(options_.max_rejection_probability, p);
}

bool AdmissionThrottle::Admit(TimePoint now, Random& random) {
  const double p = RejectProbability(now);
  ++requests_[Slot(now)];
  if (p <= 0.0) return true;
  if (p >= 1.0) return false;
  return random.UnitDouble() >= p;
}

void AdmissionThrottle::OnAccepted(TimePoint now) { ++accepts_[Slot(now)]; }

}  // namespace huddle::core
