#include "core/control/cusum_detector.h"

#include <algorithm>
#include <cmath>

namespace huddle::core {

Result<CusumOptions> CusumOptions::Parse(const OptionMap& options) {
  CusumOptions o;
  OptionReader r(options, "cusum");
  o.slack = r.Double("slack", o.slack, {.min = 0});
  o.threshold = r.Double("threshold", o.threshold, {.min = 0, .min_exclusive = true});
  o.min_stddev = r.Double("min_stddev", o.min_stddev, {.min = 0, .min_exclusive = true});
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

Change CusumDetector::Add(double y, double mean, double stddev) {
  if (!std::isfinite(y) || !std::isfinite(mean)) return Change::kNone;
  const double sigma =
      std::isfinite(stddev) ? std::max(stddev, options_.min_stddev) : options_.min_stddev;
  const double z = (y - mean) / sigma;
  upper_ = std::max(0.0, upper_ + z - options_.slack);
  lower_ = std::max(0.0, lower_ - z - options_.slack);
  if (upper_ > options_.threshold) {
    Reset();
    return Change::kUp;
  }
  if (lower_ > options_.threshold) {
    Reset();
    return Change::kDown;
  }
  return Change::kNone;
}

}  // namespace huddle::core
