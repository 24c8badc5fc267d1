#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include "core/error.h"
#include "core/options.h"
#include "core/time.h"

namespace huddle::core {

// One rate policy: at most `value` pods (or percent) of change per `period`.
struct ScalingPolicy {
  enum class Type { kPods, kPercent };
  Type type = Type::kPods;
  int value = 4;
  Duration period = FromSeconds(15);
};

// Which policy wins when several apply: kMax allows the largest change, kMin the smallest,
// kDisabled forbids changes in that direction.
enum class SelectPolicy { kMax, kMin, kDisabled };

// Option keys: min_replicas, max_replicas, scale_up_window, scale_down_window,
// scale_up_pods, scale_up_percent, scale_up_period, scale_down_pods, scale_down_percent,
// scale_down_period (a count of 0 drops that policy). The defaults are Kubernetes'
// (pkg/apis/autoscaling/v2/defaults.go): up window 0, +4 pods or +100 % per 15 s, select Max;
// down window 300 s, -100 % per 15 s.
struct HpaOptions {
  int min_replicas = 1;
  int max_replicas = 200;
  Duration scale_up_window{};
  Duration scale_down_window = FromSeconds(300);
  std::vector<ScalingPolicy> scale_up = {{ScalingPolicy::Type::kPods, 4, FromSeconds(15)},
                                         {ScalingPolicy::Type::kPercent, 100, FromSeconds(15)}};
  std::vector<ScalingPolicy> scale_down = {{ScalingPolicy::Type::kPercent, 100, FromSeconds(15)}};
  SelectPolicy scale_up_select = SelectPolicy::kMax;
  SelectPolicy scale_down_select = SelectPolicy::kMax;

  static Result<HpaOptions> Parse(const OptionMap& options);
};

// Why the stabiliser changed the recommendation (for the decision journal).
enum class HpaLimit { kNone, kStabilisedUp, kStabilisedDown, kRateUp, kRateDown, kBounds };
const char* HpaLimitName(HpaLimit limit);

struct HpaDecision {
  int desired = 0;      // what to apply
  int recommended = 0;  // the raw recommendation passed in
  HpaLimit limit = HpaLimit::kNone;
};

// The Kubernetes HPA's behaviour stage (KEP-853, pkg/controller/podautoscaler/horizontal.go):
// 1. stabilisation: up = min of the recommendations in the scale-up window, down = max of those
//    in the scale-down window (both including the new one); next = clamp(current, up, down);
// 2. rate limits relative to the replica count at the start of each policy's period:
//    up limit = select over policies of (start + pods) or ceil(start (1 + pct/100)),
//    down limit = select of (start - pods) or floor(start (1 - pct/100)) (kMax: the largest
//    change);
// 3. clamp to [min_replicas, max_replicas].
// The tolerance band (|ratio - 1| <= 0.1) is applied by the caller before this stage, on the
// metric ratio (see Autopilot). Memory: history of recommendations and scale events within the
// longest window/period (deques). Not thread-safe.
class HpaStabilizer {
 public:
  explicit HpaStabilizer(const HpaOptions& options = {}) : options_(options) {}

  // `current`: replicas now (the spec). Records the recommendation and, when desired != current,
  // the scale event.
  HpaDecision Stabilize(int recommended, int current, TimePoint now);

  const HpaOptions& options() const { return options_; }

 private:
  struct Recommendation {
    TimePoint at;
    int replicas;
  };
  struct ScaleEvent {
    TimePoint at;
    int change;  // positive: added, negative: removed
  };
  int ScaleUpLimit(int current, TimePoint now) const;
  int ScaleDownLimit(int current, TimePoint now) const;
  void Prune(TimePoint now);

  HpaOptions options_;
  std::deque<Recommendation> recommendations_;
  Recommendation seed_{};  // the replicas found at the first call (scale-down window only)
  bool seeded_ = false;
  std::deque<ScaleEvent> events_;
};

}  // namespace huddle::core
