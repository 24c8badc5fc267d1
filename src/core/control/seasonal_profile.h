#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace huddle::core {

// Option keys (through ForecasterSelectorOptions): season_bucket_steps, season_max_buckets.
struct SeasonalProfileOptions {
  size_t bucket_steps = 60;   // samples averaged into one profile point
  size_t max_buckets = 1440;  // history kept (1440 x 60 steps = 24 h at a 1 s tick)
  size_t min_period = 5;      // shortest season considered, in buckets
  double threshold = 0.15;    // YIN's absolute threshold on the normalised difference
  double min_overlap = 0.1;   // pairs compared at lag L: at least this share of L (and >= 8)
};

// A seasonal-naive forecaster with its period found in the data (no period is configured).
// Samples are averaged into buckets of `bucket_steps`; each time a bucket completes, the period
// is re-estimated on the bucket means with YIN's cumulative-mean-normalised difference
// (de Cheveigne & Kawahara 2002):
//   d(L)  = mean over i of (x_{i+L} - x_i)^2,   d'(L) = d(L) / ((1/L) sum_{j=1..L} d(j)),
// taking the first lag at or above min_period whose d' falls below `threshold`, then the local
// minimum after it. A trend (d grows as L^2, d' ~ 3) or pure noise (d' ~ 1) gives no period.
// With a period P (buckets), the forecast h steps ahead is the additive Holt-Winters seasonal
// term without smoothing (Hyndman & Athanasopoulos, FPP3 8.3, seasonal naive with a level):
//   y(t + h) = x(t + h - P b) + mean over the last k buckets of (x_j - x_{j-P}),  k <= 5,
// where x(.) interpolates the bucket means linearly at their centres. Memory: max_buckets
// doubles, allocated at construction; Add() does not allocate (O(max_buckets^2) once per bucket
// while a period is searched). Not thread-safe.
class SeasonalProfile {
 public:
  explicit SeasonalProfile(const SeasonalProfileOptions& options = {});

  // Non-finite samples are ignored.
  void Add(double y);

  // True when a period has been found.
  bool active() const { return period_ > 0; }
  // The period in steps (0 when none).
  size_t period_steps() const { return period_ * options_.bucket_steps; }
  // REQUIRES: active(). The forecast h >= 0 steps after the latest sample.
  double Forecast(double h) const;
  size_t buckets() const { return count_; }

 private:
  // Bucket mean j (0 = oldest ever), for j in [count_ - stored, count_).
  double Bucket(size_t j) const { return ring_[j % ring_.size()]; }
  // The profile at fractional bucket coordinate u, clamped to the stored range.
  double At(double u) const;
  void Detect();

  SeasonalProfileOptions options_;
  std::vector<double> ring_;
  std::vector<double> diff_;  // d(L) scratch, sized at construction
  size_t count_ = 0;          // completed buckets
  double sum_ = 0.0;          // of the bucket being filled
  size_t filled_ = 0;
  uint64_t steps_ = 0;
  size_t period_ = 0;  // buckets; 0 = none
};

}  // namespace huddle::core
