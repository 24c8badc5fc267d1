#include "core/tasks/load_predictor.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/stats/ols.h"

namespace huddle::core {

void LoadPredictor::Observe(WorkerId worker, TimePoint now, double utilisation) {
  Track& track = tracks_[worker];
  track.samples.push_back({now, utilisation});
  while (!track.samples.empty() && track.samples.front().at < now - options_.history) {
    track.samples.pop_front();
  }
  while (!track.pending.empty() && track.pending.front().due <= now) {
    const double error = std::abs(track.pending.front().predicted - utilisation);
    window_abs_error_ += error;
    ++window_resolved_;
    total_abs_error_ += error;
    ++resolved_total_;
    track.pending.pop_front();
  }
}

void LoadPredictor::Forget(WorkerId worker) { tracks_.erase(worker); }

std::optional<LoadPrediction> LoadPredictor::Predict(WorkerId worker, TimePoint now) const {
  const auto it = tracks_.find(worker);
  if (it == tracks_.end()) return std::nullopt;
  std::vector<double> x;
  std::vector<double> y;
  for (const Sample& s : it->second.samples) {
    if (s.at < now - options_.history) continue;
    x.push_back(ToSeconds(s.at - now));
    y.push_back(s.value);
  }
  if (x.size() < std::max<size_t>(options_.min_samples, 1)) return std::nullopt;
  const LinearFit fit = FitLine(x, y);
  LoadPrediction p;
  p.samples = x.size();
  p.current = *RecentMean(worker);
  p.predicted = std::clamp(fit.Predict(ToSeconds(options_.horizon)), 0.0, 1.0);
  const double n_factor =
      std::min(1.0, static_cast<double>(x.size()) /
                        static_cast<double>(std::max<size_t>(options_.full_confidence_samples, 1)));
  p.confidence = std::clamp(fit.r_squared, 0.0, 1.0) * n_factor;
  return p;
}

std::optional<double> LoadPredictor::RecentMean(WorkerId worker, size_t k) const {
  const auto it = tracks_.find(worker);
  if (it == tracks_.end() || it->second.samples.empty() || k == 0) return std::nullopt;
  const auto& samples = it->second.samples;
  const size_t m = std::min(k, samples.size());
  double sum = 0.0;
  for (size_t i = samples.size() - m; i < samples.size(); ++i) sum += samples[i].value;
  return sum / static_cast<double>(m);
}

void LoadPredictor::Remember(WorkerId worker, TimePoint due, double predicted) {
  auto& pending = tracks_[worker].pending;
  const auto pos = std::upper_bound(pending.begin(), pending.end(), due,
                                    [](TimePoint d, const Pending& p) { return d < p.due; });
  pending.insert(pos, Pending{due, predicted});
}

std::optional<double> LoadPredictor::TakeAccuracy() {
  if (window_resolved_ == 0) return std::nullopt;
  const double mae = window_abs_error_ / static_cast<double>(window_resolved_);
  window_abs_error_ = 0.0;
  window_resolved_ = 0;
  return std::clamp(1.0 - 2.0 * mae, 0.0, 1.0);
}

double LoadPredictor::lifetime_mean_absolute_error() const {
  return resolved_total_ == 0 ? 0.0 : total_abs_error_ / static_cast<double>(resolved_total_);
}

}  // namespace huddle::core
