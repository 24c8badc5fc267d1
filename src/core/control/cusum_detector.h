#pragma once

#include "core/error.h"
#include "core/options.h"

namespace huddle::core {

// A change found by the CUSUM.
enum class Change { kNone, kUp, kDown };

// Option keys: slack, threshold, min_stddev.
struct CusumOptions {
  double slack = 0.5;        // k, in standard deviations (detects shifts of about 2k)
  double threshold = 5.0;    // h, in standard deviations
  double min_stddev = 1e-9;  // floor of sigma, so a flat series does not divide by 0

  static Result<CusumOptions> Parse(const OptionMap& options);
};

// Two-sided tabular CUSUM (Page 1954; Montgomery, Statistical Quality Control 9.1) on standardised
// samples z = (y - mean) / sigma, where the caller passes the in-control mean and sigma (usually
// the slow EWMA and its variance from TelemetryWindow):
//   S+ = max(0, S+ + z - k),  S- = max(0, S- - z - k);  a change is reported when either exceeds
// h, and both sums are reset (LoadEquilibrium's defaults k = 0.5, h = 5). Not thread-safe.
class CusumDetector {
 public:
  explicit CusumDetector(const CusumOptions& options = {}) : options_(options) {}

  Change Add(double y, double mean, double stddev);
  void Reset() { upper_ = lower_ = 0.0; }

  double upper() const { return upper_; }
  double lower() const { return lower_; }

 private:
  CusumOptions options_;
  double upper_ = 0.0;
  double lower_ = 0.0;
};

}  // namespace huddle::core
