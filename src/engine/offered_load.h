#pragma once

namespace huddle::engine {

// One-tick-ahead prediction of the attempts a service receives, for admission control.
// Attempts are first attempts plus the retries of what failed the tick before (shed requests
// included: closed-loop clients re-send a 503 at once), and retries are bounded by the retry
// budget. Admission that decides on the last tick's attempts alone flip-flops: a shed tick is
// followed by a tick whose attempts carry its retries, and per-tick noise of a few percent moves
// the decision either way. So the first attempts are smoothed (Holt: level and trend, which
// follows a ramp without lag) and the retry echo of this tick's failures is added back
// explicitly. A jump of more than `jump_sigmas` Poisson standard deviations resets the level at
// once (a surge is not smoothed away), extrapolating one tick while it rises.
// Not thread-safe; no allocation.
struct OfferedLoadOptions {
  double alpha = 0.3;          // level smoothing
  double beta = 0.1;           // trend smoothing (relative to alpha)
  double jump_sigmas = 4.0;    // a surprise this large (Poisson sigmas) resets the level
  double retry_budget = 0.10;  // retries per first attempt at most
};

class OfferedLoad {
 public:
  explicit OfferedLoad(const OfferedLoadOptions& options = {}) : options_(options) {}

  // One tick's offered attempts per second and the attempts that failed (shed or errors) per
  // second; dt is the tick in seconds. Non-finite or negative values are ignored.
  void Add(double attempts, double failed, double dt);

  bool empty() const { return !has_; }
  // First attempts expected next tick (level + trend), per second.
  double First() const;
  // Retries expected next tick: this tick's failures within the retry budget, per second.
  double Echo() const { return echo_; }
  // Attempts expected next tick: First() + Echo().
  double Predict() const { return First() + Echo(); }

 private:
  OfferedLoadOptions options_;
  bool has_ = false;
  double level_ = 0.0;
  double trend_ = 0.0;
  double last_first_ = 0.0;
  double echo_ = 0.0;
};

}  // namespace huddle::engine
