#include "core/control/forecaster_selector.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace huddle::core {

const char* ForecasterKindName(ForecasterKind kind) {
  switch (kind) {
    case ForecasterKind::kNaive:
      return "naive";
    case ForecasterKind::kDampedHolt:
      return "damped_holt";
    case ForecasterKind::kOls:
      return "ols";
    case ForecasterKind::kEwma:
      return "ewma";
    case ForecasterKind::kSeasonal:
      return "seasonal";
  }
  return "unknown";
}

Result<ForecasterSelectorOptions> ForecasterSelectorOptions::Parse(const OptionMap& options) {
  ForecasterSelectorOptions o;
  OptionReader r(options, "forecaster");
  auto size = [&r](const char* key, size_t fallback, double min) {
    return static_cast<size_t>(
        r.Int(key, static_cast<int64_t>(fallback), {.min = min, .max = 100000}));
  };
  o.horizon_steps = size("horizon_steps", o.horizon_steps, 1);
  o.score_window = size("score_window", o.score_window, 1);
  o.ols_window = size("ols_window", o.ols_window, 2);
  o.min_scored = size("min_scored", o.min_scored, 0);
  o.long_horizon_steps = size("long_horizon_steps", o.long_horizon_steps, 1);
  o.season.bucket_steps = size("season_bucket_steps", o.season.bucket_steps, 1);
  o.season.max_buckets = size("season_max_buckets", o.season.max_buckets, 8);
  const OptionRange unit{.min = 0, .max = 1, .min_exclusive = true};
  o.ewma_alpha = r.Double("ewma_alpha", o.ewma_alpha, unit);
  o.switch_margin = r.Double("switch_margin", o.switch_margin, {.min = 0, .max = 1});
  o.trend_z = r.Double("trend_z", o.trend_z, {.min = 0, .max = 10});
  o.holt.alpha = r.Double("holt_alpha", o.holt.alpha, unit);
  o.holt.beta = r.Double("holt_beta", o.holt.beta, unit);
  o.holt.phi = r.Double("holt_phi", o.holt.phi, unit);
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

ForecasterSelector::ForecasterSelector(const ForecasterSelectorOptions& options)
    : options_(options),
      holt_(options.holt),
      ols_(options.ols_window),
      ewma_(options.ewma_alpha),
      season_(options.season),
      scorers_{ForecastScorer(options.horizon_steps, options.score_window),
               ForecastScorer(options.horizon_steps, options.score_window),
               ForecastScorer(options.horizon_steps, options.score_window),
               ForecastScorer(options.horizon_steps, options.score_window),
               ForecastScorer(options.horizon_steps, options.score_window)},
      long_scorers_{ForecastScorer(options.long_horizon_steps, options.score_window),
                    ForecastScorer(options.long_horizon_steps, options.score_window),
                    ForecastScorer(options.long_horizon_steps, options.score_window),
                    ForecastScorer(options.long_horizon_steps, options.score_window),
                    ForecastScorer(options.long_horizon_steps, options.score_window)} {}

double ForecasterSelector::ForecastWith(ForecasterKind kind, double steps) const {
  double value = 0.0;
  switch (kind) {
    case ForecasterKind::kNaive:
      value = last_;
      break;
    case ForecasterKind::kDampedHolt:
      value = holt_.Forecast(steps);
      break;
    case ForecasterKind::kOls:
      value = ols_.size() > 0 ? ols_.PredictAt(static_cast<double>(steps_) + steps).value : last_;
      break;
    case ForecasterKind::kEwma:
      value = ewma_.value();
      break;
    case ForecasterKind::kSeasonal:
      value = season_.active() ? season_.Forecast(steps) : holt_.Forecast(steps);
      break;
  }
  return std::max(0.0, value);
}

double ForecasterSelector::ShrunkTrend(double steps) const {
  if (ols_.size() == 0) return std::max(0.0, last_);
  return std::max(0.0, ols_.ShrunkTrendAt(static_cast<double>(steps_) + steps, options_.trend_z));
}

double ForecasterSelector::TrendT() const {
  if (ols_.size() < options_.ols_window) return 0.0;
  const double slope = ols_.fit().slope;
  const double se = ols_.SlopeStandardError();
  if (se > 0.0) return slope / se;
  return slope > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
}

double ForecasterSelector::Forecast(double steps) const {
  const bool beyond = steps > static_cast<double>(options_.horizon_steps);
  return ForecastWith(beyond ? chosen_long() : chosen_, steps);
}

void ForecasterSelector::Add(double y) {
  if (!std::isfinite(y)) return;
  ++steps_;
  last_ = y;
  holt_.Add(y);
  ols_.Add(static_cast<double>(steps_), y);
  ewma_.Add(y);
  season_.Add(y);
  const double h = static_cast<double>(options_.horizon_steps);
  const double h_long = static_cast<double>(options_.long_horizon_steps);
  for (size_t k = 0; k < kForecasterKinds; ++k) {
    scorers_[k].Add(y, ForecastWith(static_cast<ForecasterKind>(k), h));
    long_scorers_[k].Add(y, ForecastWith(static_cast<ForecasterKind>(k), h_long));
  }
  UpdateLongChoice();
  if (scorers_[0].scored() < std::max<size_t>(options_.min_scored, 1)) return;
  size_t best = 0;
  for (size_t k = 1; k < kForecasterKinds; ++k) {
    if (scorers_[k].Mase() < scorers_[best].Mase()) best = k;
  }
  const double current = scorers_[static_cast<size_t>(chosen_)].Mase();
  if (!(scorers_[best].Mase() < current * (1.0 - options_.switch_margin))) return;
  chosen_ = static_cast<ForecasterKind>(best);
}

void ForecasterSelector::UpdateLongChoice() {
  const auto& seasonal = long_scorers_[static_cast<size_t>(ForecasterKind::kSeasonal)];
  if (!season_.active() || seasonal.scored() < std::max<size_t>(options_.min_scored, 1)) {
    long_seasonal_ = false;
    return;
  }
  const double other = long_scorers_[static_cast<size_t>(chosen_)].Mase();
  if (chosen_ == ForecasterKind::kSeasonal) {
    long_seasonal_ = true;
  } else if (long_seasonal_) {
    // Hysteresis: back to the chosen model only when it beats the season by the margin.
    long_seasonal_ = !(other < seasonal.Mase() * (1.0 - options_.switch_margin));
  } else {
    long_seasonal_ = seasonal.Mase() < other * (1.0 - options_.switch_margin);
  }
}

}  // namespace huddle::core
