#include "engine/scenario_baselines.h"

#include <algorithm>
#include <cmath>

#include "core/time.h"

namespace huddle::engine {

HpaBaseline::HpaBaseline(const Options& options) : options_(options), stabilizer_(options.hpa) {}

PlantDecision HpaBaseline::Decide(const std::vector<PlantSecond>& history, double t) {
  const PlantSecond& now = history.back();
  if (target_ == 0) target_ = std::max(1, now.provisioned);
  PlantDecision d;
  if (t + 1e-9 >= next_sync_) {
    next_sync_ = t + options_.sync_period_s;
    double sum = 0;
    int n = 0;
    for (size_t k = history.size(); k-- > 0 && history[k].t > t - options_.sync_period_s;) {
      if (!history[k].telemetry_sent) continue;
      sum += history[k].measured_cpu;
      ++n;
    }
    if (n > 0 && now.healthy > 0) {
      const double utilisation = sum / n;
      const double ratio = utilisation / options_.target_utilisation;
      // Kubernetes' tolerance: no change while the ratio is within 10 % of 1.
      const int recommended = std::abs(ratio - 1.0) <= options_.tolerance
                                  ? target_
                                  : static_cast<int>(std::ceil(now.healthy * ratio - 1e-9));
      target_ =
          stabilizer_.Stabilize(recommended, target_, core::TimePoint{} + core::FromSeconds(t))
              .desired;
    }
  }
  d.target = target_;
  return d;
}

std::vector<double> UtilisationAlarms(const std::vector<PlantSecond>& history, double threshold,
                                      double cooldown_s) {
  std::vector<double> fired;
  double last = -1e300;
  for (size_t t = 0; t < history.size(); ++t) {
    double sum = 0;
    int n = 0;
    for (size_t k = t >= 4 ? t - 4 : 0; k <= t; ++k) {
      if (!history[k].telemetry_sent) continue;
      sum += history[k].measured_cpu;
      ++n;
    }
    if (n == 0 || sum / n < threshold) continue;
    const double at = history[t].t;
    if (at - last >= cooldown_s) {
      fired.push_back(at);
      last = at;
    }
  }
  return fired;
}

double NaiveForecast(const std::vector<double>& y, size_t t, size_t) { return y[t]; }

double SeasonalNaiveForecast(const std::vector<double>& y, size_t t, size_t h, size_t period) {
  if (period == 0 || t + h < period || t + h - period > t) return y[t];
  return y[t + h - period];
}

double Ols60Forecast(const std::vector<double>& y, size_t t, size_t h) {
  const size_t first = t >= 59 ? t - 59 : 0;
  const double n = static_cast<double>(t - first + 1);
  if (n < 2) return y[t];
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t k = first; k <= t; ++k) {
    const double x = static_cast<double>(k - first);
    sx += x;
    sy += y[k];
    sxx += x * x;
    sxy += x * y[k];
  }
  const double denominator = n * sxx - sx * sx;
  const double slope = denominator > 0 ? (n * sxy - sx * sy) / denominator : 0.0;
  const double intercept = (sy - slope * sx) / n;
  return std::max(0.0, intercept + slope * (n - 1 + static_cast<double>(h)));
}

}  // namespace huddle::engine
