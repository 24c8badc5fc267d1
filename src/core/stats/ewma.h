#pragma once

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "core/time.h"

namespace huddle::core {

// Exponentially weighted moving average with a fixed smoothing factor alpha in (0, 1]:
//   value = alpha * sample + (1 - alpha) * value.
// The first sample sets the value. Not thread-safe.
class Ewma {
 public:
  // REQUIRES: 0 < alpha <= 1 (use Make() to validate untrusted input).
  explicit Ewma(double alpha) : alpha_(alpha) {}
  static Result<Ewma> Make(double alpha);
  // alpha = 1 - 2^(-1/h): after h samples an old value has half its weight. REQUIRES: h > 0.
  static double AlphaFromHalfLife(double half_life_samples) {
    return 1.0 - std::exp2(-1.0 / half_life_samples);
  }
  // Akka's form for samples taken every `interval`: alpha = 1 - exp(-ln 2 * interval/half_life).
  static double AlphaFromHalfLife(Duration interval, Duration half_life) {
    return 1.0 - std::exp(-std::log(2.0) * ToSeconds(interval) / ToSeconds(half_life));
  }

  void Add(double sample) {
    value_ = has_value_ ? alpha_ * sample + (1.0 - alpha_) * value_ : sample;
    has_value_ = true;
  }
  // Sets the value as if it had been observed (used to seed a prior).
  void Reset(double value) {
    value_ = value;
    has_value_ = true;
  }
  double value() const { return value_; }
  bool has_value() const { return has_value_; }
  double alpha() const { return alpha_; }

 private:
  double alpha_;
  double value_ = 0.0;
  bool has_value_ = false;
};

// EWMA for unevenly spaced samples: the old value's weight decays with elapsed time,
// w = exp(-dt / tau), value = w * value + (1 - w) * sample (Finagle / tower peak-EWMA form without
// the peak). tau is a time constant; the half-life is tau * ln 2. A tau <= 0 keeps no memory: the
// value is the latest sample. Not thread-safe.
class DecayingEwma {
 public:
  explicit DecayingEwma(Duration tau) : tau_seconds_(ToSeconds(tau)) {}
  static Duration TauFromHalfLife(Duration half_life) {
    return FromSeconds(ToSeconds(half_life) / std::log(2.0));
  }

  void Add(double sample, TimePoint now) {
    if (!has_value_) {
      value_ = sample;
      has_value_ = true;
    } else {
      const double w = Weight(now);
      value_ = w * value_ + (1.0 - w) * sample;
    }
    last_ = now;
  }
  // The value decayed toward `target` as if `target` had been observed continuously since the last
  // sample; does not change state.
  double DecayedToward(double target, TimePoint now) const {
    if (!has_value_) return target;
    const double w = Weight(now);
    return w * value_ + (1.0 - w) * target;
  }
  double value() const { return value_; }
  bool has_value() const { return has_value_; }
  TimePoint last_update() const { return last_; }

 private:
  // The old value's weight: exp(-dt / tau), with dt = 0 if time went backwards.
  double Weight(TimePoint now) const {
    if (!(tau_seconds_ > 0.0)) return 0.0;
    return std::exp(-std::max(0.0, ToSeconds(now - last_)) / tau_seconds_);
  }

  double tau_seconds_;
  double value_ = 0.0;
  bool has_value_ = false;
  TimePoint last_{};
};

inline Result<Ewma> Ewma::Make(double alpha) {
  if (!(alpha > 0.0 && alpha <= 1.0)) {
    return Fail("EWMA alpha must be in (0, 1], got " + std::to_string(alpha));
  }
  return Ewma(alpha);
}

}  // namespace huddle::core
