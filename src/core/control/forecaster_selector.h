#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/control/damped_holt.h"
#include "core/control/forecast_scorer.h"
#include "core/control/windowed_ols.h"
#include "core/error.h"
#include "core/options.h"
#include "core/stats/ewma.h"

namespace huddle::core {

// The candidate forecasters, in the order they are scored.
enum class ForecasterKind { kNaive = 0, kDampedHolt = 1, kOls = 2, kEwma = 3 };
inline constexpr size_t kForecasterKinds = 4;
const char* ForecasterKindName(ForecasterKind kind);

// Option keys: horizon_steps, score_window, ols_window, ewma_alpha, switch_margin, min_scored,
// holt_alpha, holt_beta, holt_phi.
struct ForecasterSelectorOptions {
  size_t horizon_steps = 15;    // decision horizon (15 steps of 2 s = 30 s)
  size_t score_window = 60;     // errors kept per candidate
  size_t ols_window = 30;       // points in the OLS fit
  double ewma_alpha = 0.10;     // the level-only candidate
  double switch_margin = 0.10;  // a challenger must have a MASE this much lower (relative)
  size_t min_scored = 10;       // scored steps before the selector leaves its first choice
  DampedHoltOptions holt;

  static Result<ForecasterSelectorOptions> Parse(const OptionMap& options);
};

// Runs several forecasters side by side on one series (one sample per step), scores each at the
// decision horizon (ForecastScorer: MAPE, MASE) and forecasts with the one whose recent MASE is
// lowest. Switching needs a margin (hysteresis) so the choice does not flap. Candidates: naive
// (last value), damped Holt, windowed OLS over the step index, slow EWMA level. Starts with damped
// Holt. Memory fixed at construction; Add() does not allocate (O(ols_window) per step).
// Not thread-safe.
class ForecasterSelector {
 public:
  explicit ForecasterSelector(const ForecasterSelectorOptions& options = {});

  // Non-finite samples are ignored (a dropped point).
  void Add(double y);

  // Forecast `steps` steps ahead (may be fractional) with the chosen model, floored at 0 (the
  // series are rates and latencies).
  double Forecast(double steps) const;
  double ForecastWith(ForecasterKind kind, double steps) const;

  ForecasterKind chosen() const { return chosen_; }
  const ForecastScorer& scorer(ForecasterKind kind) const {
    return scorers_[static_cast<size_t>(kind)];
  }
  // The chosen model's scores: what the engine reports as the service's MAPE and MASE.
  double Mape() const { return scorer(chosen_).Mape(); }
  double Mase() const { return scorer(chosen_).Mase(); }
  uint64_t steps() const { return steps_; }
  // Residual standard deviation of the OLS window: a scale for scenario spread.
  double ResidualStddev() const { return ols_.fit().residual_stddev; }

 private:
  ForecasterSelectorOptions options_;
  DampedHolt holt_;
  WindowedOls ols_;
  Ewma ewma_;
  double last_ = 0.0;
  uint64_t steps_ = 0;
  std::array<ForecastScorer, kForecasterKinds> scorers_;
  ForecasterKind chosen_ = ForecasterKind::kDampedHolt;
};

}  // namespace huddle::core
