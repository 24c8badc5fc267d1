#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/control/damped_holt.h"
#include "core/control/forecast_scorer.h"
#include "core/control/seasonal_profile.h"
#include "core/control/windowed_ols.h"
#include "core/error.h"
#include "core/options.h"
#include "core/stats/ewma.h"

namespace huddle::core {

// The candidate forecasters, in the order they are scored.
enum class ForecasterKind { kNaive = 0, kDampedHolt = 1, kOls = 2, kEwma = 3, kSeasonal = 4 };
inline constexpr size_t kForecasterKinds = 5;
const char* ForecasterKindName(ForecasterKind kind);

// Option keys: horizon_steps, score_window, ols_window, trend_z, ewma_alpha, switch_margin,
// min_scored, holt_alpha, holt_beta, holt_phi, long_horizon_steps, season_bucket_steps,
// season_max_buckets.
struct ForecasterSelectorOptions {
  size_t horizon_steps = 15;        // decision horizon (15 steps of 2 s = 30 s)
  size_t score_window = 60;         // errors kept per candidate
  size_t ols_window = 30;           // points in the OLS fit
  double trend_z = 3.0;             // ShrunkTrend: standard errors taken off the OLS slope
  double ewma_alpha = 0.10;         // the level-only candidate
  double switch_margin = 0.10;      // a challenger must have a MASE this much lower (relative)
  size_t min_scored = 10;           // scored steps before the selector leaves its first choice
  size_t long_horizon_steps = 150;  // second scoring horizon, for forecasts beyond horizon_steps
  DampedHoltOptions holt;
  SeasonalProfileOptions season;

  static Result<ForecasterSelectorOptions> Parse(const OptionMap& options);
};

// Runs several forecasters side by side on one series (one sample per step), scores each at the
// decision horizon (ForecastScorer: MAPE, MASE) and forecasts with the one whose recent MASE is
// lowest. Switching needs a margin (hysteresis) so the choice does not flap. Candidates: naive
// (last value), damped Holt, windowed OLS over the step index, slow EWMA level, and a seasonal
// profile whose period is found in the data (SeasonalProfile; until it finds one it forecasts as
// damped Holt). Starts with damped Holt.
// Beyond horizon_steps, forecasts come from the seasonal profile instead of the chosen model
// when a period is active and, scored at long_horizon_steps, its MASE is lower than the chosen
// model's by switch_margin (relative), with the same hysteresis: at the short horizon sample
// noise hides what a season is worth, at long horizons trend extrapolation drifts off a cycle.
// Memory fixed at construction; Add() does not allocate (O(ols_window) per step, plus the
// profile's period search once per bucket). Not thread-safe.
class ForecasterSelector {
 public:
  explicit ForecasterSelector(const ForecasterSelectorOptions& options = {});

  // Non-finite samples are ignored (a dropped point).
  void Add(double y);

  // Forecast `steps` steps ahead (may be fractional) with the chosen model, floored at 0 (the
  // series are rates and latencies).
  double Forecast(double steps) const;
  double ForecastWith(ForecasterKind kind, double steps) const;

  // The windowed OLS line with its slope shrunk by trend_z standard errors
  // (WindowedOls::ShrunkTrendAt), floored at 0.
  double ShrunkTrend(double steps) const;
  // t statistic of the OLS slope, b / se(b); 0 until the window is full (ols_window points),
  // +inf for a rising exact line.
  double TrendT() const;

  ForecasterKind chosen() const { return chosen_; }
  // The model used for forecasts beyond horizon_steps.
  ForecasterKind chosen_long() const {
    return long_seasonal_ ? ForecasterKind::kSeasonal : chosen_;
  }
  const SeasonalProfile& season() const { return season_; }
  const ForecastScorer& long_scorer(ForecasterKind kind) const {
    return long_scorers_[static_cast<size_t>(kind)];
  }
  const ForecastScorer& scorer(ForecasterKind kind) const {
    return scorers_[static_cast<size_t>(kind)];
  }
  // The chosen model's scores: what the engine reports as the service's MAPE and MASE.
  double Mape() const { return scorer(chosen_).Mape(); }
  double Mase() const { return scorer(chosen_).Mase(); }
  uint64_t steps() const { return steps_; }

 private:
  void UpdateLongChoice();

  ForecasterSelectorOptions options_;
  DampedHolt holt_;
  WindowedOls ols_;
  Ewma ewma_;
  SeasonalProfile season_;
  double last_ = 0.0;
  uint64_t steps_ = 0;
  std::array<ForecastScorer, kForecasterKinds> scorers_;
  std::array<ForecastScorer, kForecasterKinds> long_scorers_;
  ForecasterKind chosen_ = ForecasterKind::kDampedHolt;
  bool long_seasonal_ = false;
};

}  // namespace huddle::core
