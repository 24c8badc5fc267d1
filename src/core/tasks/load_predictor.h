#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <optional>

#include "core/tasks/task_model.h"
#include "core/time.h"

namespace huddle::core {

// A worker's utilisation `horizon` from now, by ordinary least squares over its recent samples.
struct LoadPrediction {
  double current = 0.0;     // mean of the last (up to) 5 samples
  double predicted = 0.0;   // fitted line at now + horizon, clamped to [0, 1]
  double confidence = 0.0;  // R^2 * min(1, n / full_confidence_samples)
  size_t samples = 0;
};

// Per-worker load history and trend prediction, as the adaptive task balancer's text describes:
// each worker's samples from the last `history` are fitted with OLS (time in seconds on x), the
// line is read at now + `horizon` and clamped to [0, 1], and the confidence is
// R^2 * min(1, n / 10). Fewer than `min_samples` samples give no prediction.
// Accuracy: predictions handed to Remember() are resolved by the first sample of that worker at
// or after their due time; accuracy = 1 - 2 * mean absolute error (the seed's formula), clamped
// to [0, 1]. Not thread-safe.
class LoadPredictor {
 public:
  struct Options {
    Duration history = std::chrono::minutes(10);
    Duration horizon = std::chrono::minutes(3);
    size_t min_samples = 3;
    size_t full_confidence_samples = 10;
  };

  LoadPredictor() : LoadPredictor(Options{}) {}
  explicit LoadPredictor(Options options) : options_(options) {}

  // Adds a sample; samples must come in non-decreasing time per worker. Resolves due predictions.
  void Observe(WorkerId worker, TimePoint now, double utilisation);
  void Forget(WorkerId worker);

  // The prediction at now + horizon; nullopt with fewer than min_samples samples in the window.
  std::optional<LoadPrediction> Predict(WorkerId worker, TimePoint now) const;
  // Mean of the last up to `k` samples; nullopt when the worker has none.
  std::optional<double> RecentMean(WorkerId worker, size_t k = 5) const;

  // Stores a prediction to score once its due time has passed.
  void Remember(WorkerId worker, TimePoint due, double predicted);
  // Accuracy of the predictions resolved since the last call (nullopt if none was), and resets
  // that window. The lifetime figures below are not reset.
  std::optional<double> TakeAccuracy();
  double lifetime_mean_absolute_error() const;
  size_t resolved_predictions() const { return resolved_total_; }

  const Options& options() const { return options_; }

 private:
  struct Sample {
    TimePoint at;
    double value;
  };
  struct Pending {
    TimePoint due;
    double predicted;
  };
  struct Track {
    std::deque<Sample> samples;
    std::deque<Pending> pending;  // in order of due time
  };

  Options options_;
  std::map<WorkerId, Track> tracks_;
  double window_abs_error_ = 0.0;
  size_t window_resolved_ = 0;
  double total_abs_error_ = 0.0;
  size_t resolved_total_ = 0;
};

}  // namespace huddle::core
