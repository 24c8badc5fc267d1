#pragma once

#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "core/options.h"
#include "core/stats/ewma.h"
#include "core/stats/sliding_window.h"
#include "core/time.h"

namespace huddle::core {

// How far a window's numbers can be trusted (LoadEquilibrium's three levels).
enum class SignalQuality { kSparse, kDegraded, kGood };
const char* SignalQualityName(SignalQuality quality);

// Option keys: fast_alpha, slow_alpha, winsor_z, capacity, confidence_points, cov_weight,
// staleness_tau, sparse_confidence, degraded_confidence.
struct TelemetryWindowOptions {
  double fast_alpha = 0.30;                 // fast EWMA: responds in about 3 samples
  double slow_alpha = 0.10;                 // slow EWMA: the trend baseline, about 10 samples
  double winsor_z = 3.0;                    // samples are clamped to slow mean +- z sigma (0: off)
  size_t capacity = 15;                     // raw samples kept for the coefficient of variation
  double confidence_points = 15.0;          // n0 in 1 - e^{-n/n0}
  double cov_weight = 0.5;                  // k in e^{-k CoV}
  Duration staleness_tau = FromSeconds(6);  // tau in e^{-age/tau}
  double sparse_confidence = 0.30;          // below: sparse (also with fewer than 3 samples)
  double degraded_confidence = 0.65;        // below: degraded

  static Result<TelemetryWindowOptions> Parse(const OptionMap& options);
};

// One metric of one service over time (request rate, p99 latency, ...): fast and slow EWMAs, an
// exponentially weighted variance, the last `capacity` raw samples, and a confidence score
//   confidence = (1 - e^{-n / n0}) e^{-k CoV} e^{-age / tau}
// (LoadEquilibrium's form; n = samples accepted, CoV over the raw window, age since the last
// sample). Non-finite and negative samples are rejected and counted, never stored.
// Winsorising: once 5 samples are in, a sample is clamped to slow +- z sigma before the
// EWMAs and the variance see it (the raw window keeps the clamped value too), so one wild point
// cannot drag the averages (sigma is the bias-corrected sqrt(var / (1 - (1 - a)^(n - 1)))).
// Variance update (West 1979): d = x - slow_prev,
//   var = (1 - a)(var + a d^2), with a = slow_alpha.
// Memory: two rings of `capacity` doubles, allocated at construction; Add() never allocates.
// Not thread-safe.
class TelemetryWindow {
 public:
  explicit TelemetryWindow(const TelemetryWindowOptions& options = {});

  // Returns false (and counts it) when the sample is NaN, infinite or negative.
  bool Add(double sample, TimePoint now);

  double fast() const { return fast_.value(); }
  double slow() const { return slow_.value(); }
  double variance() const { return variance_; }
  double stddev() const;
  double last() const { return raw_.Latest(); }
  // (fast - slow) / slow; 0 while slow is 0.
  double TrendSignal() const;
  // Coefficient of variation (sample stddev / mean) of the raw window; 0 with < 2 samples.
  double CoefficientOfVariation() const;
  double Confidence(TimePoint now) const;
  SignalQuality Quality(TimePoint now) const;

  uint64_t accepted() const { return accepted_; }
  uint64_t rejected() const { return rejected_; }
  uint64_t winsorised() const { return winsorised_; }
  bool empty() const { return accepted_ == 0; }
  TimePoint last_sample_time() const { return last_time_; }
  const SlidingWindow& raw() const { return raw_; }

 private:
  TelemetryWindowOptions options_;
  Ewma fast_;
  Ewma slow_;
  double variance_ = 0.0;
  SlidingWindow raw_;
  uint64_t accepted_ = 0;
  uint64_t rejected_ = 0;
  uint64_t winsorised_ = 0;
  TimePoint last_time_{};
};

}  // namespace huddle::core
