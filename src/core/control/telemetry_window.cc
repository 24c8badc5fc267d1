#include "core/control/telemetry_window.h"

#include <algorithm>
#include <cmath>

namespace huddle::core {
namespace {

constexpr uint64_t kWinsorWarmup = 5;  // samples before the band is trusted

}  // namespace

const char* SignalQualityName(SignalQuality quality) {
  switch (quality) {
    case SignalQuality::kSparse:
      return "sparse";
    case SignalQuality::kDegraded:
      return "degraded";
    case SignalQuality::kGood:
      return "good";
  }
  return "unknown";
}

Result<TelemetryWindowOptions> TelemetryWindowOptions::Parse(const OptionMap& options) {
  TelemetryWindowOptions o;
  OptionReader r(options, "telemetry_window");
  const OptionRange alpha{.min = 0, .max = 1, .min_exclusive = true};
  o.fast_alpha = r.Double("fast_alpha", o.fast_alpha, alpha);
  o.slow_alpha = r.Double("slow_alpha", o.slow_alpha, alpha);
  o.winsor_z = r.Double("winsor_z", o.winsor_z, {.min = 0, .max = 100});
  o.capacity = static_cast<size_t>(
      r.Int("capacity", static_cast<int64_t>(o.capacity), {.min = 2, .max = 100000}));
  o.confidence_points =
      r.Double("confidence_points", o.confidence_points, {.min = 0, .min_exclusive = true});
  o.cov_weight = r.Double("cov_weight", o.cov_weight, {.min = 0});
  o.staleness_tau = r.Time("staleness_tau", o.staleness_tau, {.min = 0, .min_exclusive = true});
  o.sparse_confidence = r.Double("sparse_confidence", o.sparse_confidence, {.min = 0, .max = 1});
  o.degraded_confidence =
      r.Double("degraded_confidence", o.degraded_confidence, {.min = 0, .max = 1});
  if (o.fast_alpha < o.slow_alpha) r.Problem("fast_alpha must be >= slow_alpha");
  if (o.degraded_confidence < o.sparse_confidence) {
    r.Problem("degraded_confidence must be >= sparse_confidence");
  }
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

TelemetryWindow::TelemetryWindow(const TelemetryWindowOptions& options)
    : options_(options),
      fast_(options.fast_alpha),
      slow_(options.slow_alpha),
      raw_(options.capacity) {}

bool TelemetryWindow::Add(double sample, TimePoint now) {
  if (!std::isfinite(sample) || sample < 0.0) {
    ++rejected_;
    return false;
  }
  if (accepted_ >= kWinsorWarmup && options_.winsor_z > 0.0) {
    // The EW variance starts at 0 and reaches its level only as 1 - (1 - a)^(n - 1): divide that
    // out (as Adam does for its moments) so early samples are not clamped by a too-narrow band.
    const double warm =
        1.0 - std::pow(1.0 - options_.slow_alpha, static_cast<double>(accepted_ - 1));
    const double band = options_.winsor_z * std::sqrt(variance_ / warm);
    const double clamped = std::clamp(sample, slow_.value() - band, slow_.value() + band);
    if (clamped != sample) ++winsorised_;
    sample = clamped;
  }
  if (slow_.has_value()) {
    const double a = options_.slow_alpha;
    const double d = sample - slow_.value();
    variance_ = (1.0 - a) * (variance_ + a * d * d);
  }
  fast_.Add(sample);
  slow_.Add(sample);
  raw_.Add(sample);
  ++accepted_;
  last_time_ = now;
  return true;
}

double TelemetryWindow::stddev() const { return std::sqrt(variance_); }

double TelemetryWindow::TrendSignal() const {
  const double slow = slow_.value();
  return slow > 0.0 ? (fast_.value() - slow) / slow : 0.0;
}

double TelemetryWindow::CoefficientOfVariation() const {
  const size_t n = raw_.size();
  if (n < 2) return 0.0;
  const double mean = raw_.Mean();
  if (!(mean > 0.0)) return 0.0;
  double ss = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double d = raw_.At(i) - mean;
    ss += d * d;
  }
  return std::sqrt(ss / static_cast<double>(n - 1)) / mean;
}

double TelemetryWindow::Confidence(TimePoint now) const {
  if (accepted_ == 0) return 0.0;
  const double n = static_cast<double>(accepted_);
  const double age = std::max(0.0, ToSeconds(now - last_time_));
  return (1.0 - std::exp(-n / options_.confidence_points)) *
         std::exp(-options_.cov_weight * CoefficientOfVariation()) *
         std::exp(-age / ToSeconds(options_.staleness_tau));
}

SignalQuality TelemetryWindow::Quality(TimePoint now) const {
  const double confidence = Confidence(now);
  if (accepted_ < 3 || confidence < options_.sparse_confidence) return SignalQuality::kSparse;
  if (confidence < options_.degraded_confidence) return SignalQuality::kDegraded;
  return SignalQuality::kGood;
}

}  // namespace huddle::core
