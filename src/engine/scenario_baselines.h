#pragma once

#include <cstddef>
#include <vector>

#include "core/control/hpa_stabilizer.h"
#include "engine/scenario_plant.h"

namespace huddle::engine {

// Baselines that the scenario suite runs beside the engine, on the same plant and seeds
// (issue 14: the engine must beat each of them on every scenario's headline).

// A reactive Kubernetes HorizontalPodAutoscaler with the default behaviour
// (core::HpaStabilizer's defaults: scale-up +4 pods or +100 % per 15 s, scale-down window
// 300 s), a 15 s sync period, the 0.1 tolerance and a CPU utilisation target. Its metric is the
// mean cpu_usage of the telemetry points received over the last sync period (metrics-server's
// window); desired = ceil(ready x utilisation / target), as the HPA computes it when pods that are
// not ready count as 0 % on scale-up. It never sheds: the plant admits everything. Lost replicas
// are re-created by the plant (a ReplicaSet). Not thread-safe.
class HpaBaseline {
 public:
  struct Options {
    double target_utilisation = 0.65;  // the engine's setpoint, for a like-for-like comparison
    double tolerance = 0.1;
    double sync_period_s = 15;
    core::HpaOptions hpa;  // Kubernetes defaults; min/max set by the suite like the engine's
  };
  explicit HpaBaseline(const Options& options);

  // The decision after second t, given the service's history so far (t is its last row).
  PlantDecision Decide(const std::vector<PlantSecond>& history, double t);

 private:
  Options options_;
  core::HpaStabilizer stabilizer_;
  int target_ = 0;
  double next_sync_ = 0;
};

// A static utilisation alarm: fires when the 5 s mean of the cpu_usage reported by the points
// received (dropped points skipped) is at or above `threshold`, and again every `cooldown_s`
// while it stays there (the engine's event cooldown). Returns the seconds at which it fired.
std::vector<double> UtilisationAlarms(const std::vector<PlantSecond>& history, double threshold,
                                      double cooldown_s = 30);

// Forecasters of the per-second unique demand `y` (index = second): the value they give at
// second t for t + h. Each sees y[0..t] only.
double NaiveForecast(const std::vector<double>& y, size_t t, size_t h);
// y[t + h - period] (the same second one period earlier); the naive forecast before one period.
double SeasonalNaiveForecast(const std::vector<double>& y, size_t t, size_t h, size_t period);
// Least-squares line over y[t - 59 .. t] extrapolated to t + h (fewer points early on).
double Ols60Forecast(const std::vector<double>& y, size_t t, size_t h);

}  // namespace huddle::engine
