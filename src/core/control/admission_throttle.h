#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/random.h"
#include "core/time.h"

namespace huddle::core {

// Option keys: window, buckets, success_threshold, aggression, max_rejection_probability,
// min_requests. Defaults are Google SRE's client-side throttling (K = 2 over 2 minutes): a
// success_threshold of 1 / K. Envoy's admission_control filter uses window 30 s, threshold 0.95,
// aggression 1, max 0.8 (see docs/engine_models.md).
struct AdmissionOptions {
  Duration window = FromSeconds(120);
  size_t buckets = 12;
  double success_threshold = 0.5;  // 1 / K
  double aggression = 1.0;
  double max_rejection_probability = 1.0;
  uint64_t min_requests = 0;  // below this many requests in the window, reject nothing

  static Result<AdmissionOptions> Parse(const OptionMap& options);
};

// Client-side adaptive throttling (Beyer et al., Site Reliability Engineering, ch. 21, "Handling
// Overload"), in the generalised form of Envoy's admission control:
//   P(reject) = min(max_p, max(0, (requests - accepts / threshold) / (requests +
//   1))^(1/aggression))
// over a sliding window of `buckets` time buckets. `requests` counts every attempt, including
// those rejected here (SRE's definition: local rejections keep the estimate honest); `accepts`
// counts those the backend accepted. With the defaults this is SRE's
// max(0, (requests - 2 accepts) / (requests + 1)).
// Memory: two rings of `buckets` counters, allocated at construction. No allocation afterwards.
// Not thread-safe.
class AdmissionThrottle {
 public:
  explicit AdmissionThrottle(const AdmissionOptions& options = {});

  double RejectProbability(TimePoint now) const;
  // Counts the attempt and decides: true = send it, false = reject locally (the caller returns
  // 503 with Retry-After). Consumes one random draw only when the probability is in (0, 1).
  bool Admit(TimePoint now, Random& random);
  // The backend accepted (served) a request sent after Admit().
  void OnAccepted(TimePoint now);

  uint64_t Requests(TimePoint now) const;
  uint64_t Accepts(TimePoint now) const;

 private:
  size_t Slot(TimePoint now);
  int64_t BucketNumber(TimePoint now) const;

  AdmissionOptions options_;
  Duration bucket_width_;
  std::vector<uint64_t> requests_;
  std::vector<uint64_t> accepts_;
  std::vector<int64_t> numbers_;
};

}  // namespace huddle::core
