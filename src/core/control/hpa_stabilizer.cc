#include "core/control/hpa_stabilizer.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace huddle::core {

const char* HpaLimitName(HpaLimit limit) {
  switch (limit) {
    case HpaLimit::kNone:
      return "none";
    case HpaLimit::kStabilisedUp:
      return "scale_up_stabilisation";
    case HpaLimit::kStabilisedDown:
      return "scale_down_stabilisation";
    case HpaLimit::kRateUp:
      return "scale_up_rate_limit";
    case HpaLimit::kRateDown:
      return "scale_down_rate_limit";
    case HpaLimit::kBounds:
      return "replica_bounds";
  }
  return "unknown";
}

Result<HpaOptions> HpaOptions::Parse(const OptionMap& options) {
  HpaOptions o;
  OptionReader r(options, "hpa");
  o.min_replicas = static_cast<int>(r.Int("min_replicas", o.min_replicas, {.min = 0, .max = 1e6}));
  o.max_replicas = static_cast<int>(r.Int("max_replicas", o.max_replicas, {.min = 1, .max = 1e6}));
  o.scale_up_window = r.Time("scale_up_window", o.scale_up_window, {.min = 0, .max = 3600});
  o.scale_down_window = r.Time("scale_down_window", o.scale_down_window, {.min = 0, .max = 3600});
  const OptionRange count{.min = 0, .max = 1e6};
  const OptionRange period{.min = 0, .max = 1800, .min_exclusive = true};
  const int up_pods = static_cast<int>(r.Int("scale_up_pods", 4, count));
  const int up_percent = static_cast<int>(r.Int("scale_up_percent", 100, count));
  const Duration up_period = r.Time("scale_up_period", FromSeconds(15), period);
  const int down_pods = static_cast<int>(r.Int("scale_down_pods", 0, count));
  const int down_percent =
      static_cast<int>(r.Int("scale_down_percent", 100, {.min = 0, .max = 100}));
  const Duration down_period = r.Time("scale_down_period", FromSeconds(15), period);
  o.scale_up.clear();
  o.scale_down.clear();
  if (up_pods > 0) o.scale_up.push_back({ScalingPolicy::Type::kPods, up_pods, up_period});
  if (up_percent > 0) o.scale_up.push_back({ScalingPolicy::Type::kPercent, up_percent, up_period});
  if (down_pods > 0) o.scale_down.push_back({ScalingPolicy::Type::kPods, down_pods, down_period});
  if (down_percent > 0) {
    o.scale_down.push_back({ScalingPolicy::Type::kPercent, down_percent, down_period});
  }
  if (o.scale_up.empty()) o.scale_up_select = SelectPolicy::kDisabled;
  if (o.scale_down.empty()) o.scale_down_select = SelectPolicy::kDisabled;
  if (o.min_replicas > o.max_replicas) r.Problem("min_replicas must not exceed max_replicas");
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

void HpaStabilizer::Prune(TimePoint now) {
  Duration keep = std::max(options_.scale_up_window, options_.scale_down_window);
  while (!recommendations_.empty() && recommendations_.front().at < now - keep) {
    recommendations_.pop_front();
  }
  Duration longest{};
  for (const auto& p : options_.scale_up) longest = std::max(longest, p.period);
  for (const auto& p : options_.scale_down) longest = std::max(longest, p.period);
  while (!events_.empty() && events_.front().at <= now - longest) events_.pop_front();
}

int HpaStabilizer::ScaleUpLimit(int current, TimePoint now) const {
  if (options_.scale_up_select == SelectPolicy::kDisabled) return current;
  int result = options_.scale_up_select == SelectPolicy::kMax ? std::numeric_limits<int>::min()
                                                              : std::numeric_limits<int>::max();
  for (const ScalingPolicy& p : options_.scale_up) {
    int added = 0;
    for (const ScaleEvent& e : events_) {
      if (e.at > now - p.period && e.change > 0) added += e.change;
    }
    const int start = current - added;
    const int proposed = p.type == ScalingPolicy::Type::kPods
                             ? start + p.value
                             : static_cast<int>(std::ceil(start * (1.0 + p.value / 100.0)));
    result = options_.scale_up_select == SelectPolicy::kMax ? std::max(result, proposed)
                                                            : std::min(result, proposed);
  }
  return result;
}

int HpaStabilizer::ScaleDownLimit(int current, TimePoint now) const {
  if (options_.scale_down_select == SelectPolicy::kDisabled) return current;
  int result = options_.scale_down_select == SelectPolicy::kMax ? std::numeric_limits<int>::max()
                                                                : std::numeric_limits<int>::min();
  for (const ScalingPolicy& p : options_.scale_down) {
    int removed = 0;
    for (const ScaleEvent& e : events_) {
      if (e.at > now - p.period && e.change < 0) removed -= e.change;
    }
    const int start = current + removed;
    const int proposed = p.type == ScalingPolicy::Type::kPods
                             ? start - p.value
                             : static_cast<int>(std::floor(start * (1.0 - p.value / 100.0)));
    result = options_.scale_down_select == SelectPolicy::kMax ? std::min(result, proposed)
                                                              : std::max(result, proposed);
  }
  return result;
}

HpaDecision HpaStabilizer::Stabilize(int recommended, int current, TimePoint now) {
  Prune(now);
  // The replica count found at the first decision counts as a scale-down recommendation made
  // then: a stabiliser with no history (a fresh or restarted engine) holds what is running for a
  // scale-down window instead of scaling in on its first few samples.
  if (!seeded_) {
    seeded_ = true;
    seed_ = {now, current};
  }
  HpaDecision d;
  d.recommended = recommended;
  int up = recommended;
  int down = recommended;
  if (seed_.at > now - options_.scale_down_window) down = std::max(down, seed_.replicas);
  for (const Recommendation& r : recommendations_) {
    if (r.at >= now - options_.scale_up_window) up = std::min(up, r.replicas);
    if (r.at >= now - options_.scale_down_window) down = std::max(down, r.replicas);
  }
  recommendations_.push_back({now, recommended});
  int next = std::clamp(current, up, down);
  if (next != recommended) {
    d.limit = next < recommended ? HpaLimit::kStabilisedUp : HpaLimit::kStabilisedDown;
  }
  if (next > current) {
    const int limit = ScaleUpLimit(current, now);
    if (next > limit) {
      next = std::max(limit, current);
      d.limit = HpaLimit::kRateUp;
    }
  } else if (next < current) {
    const int limit = ScaleDownLimit(current, now);
    if (next < limit) {
      next = std::min(limit, current);
      d.limit = HpaLimit::kRateDown;
    }
  }
  const int bounded = std::clamp(next, options_.min_replicas, options_.max_replicas);
  if (bounded != next) d.limit = HpaLimit::kBounds;
  d.desired = bounded;
  if (d.desired != current) events_.push_back({now, d.desired - current});
  return d;
}

}  // namespace huddle::core
