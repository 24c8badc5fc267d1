#include "core/stats/windowed_quantiles.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace huddle::core {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::min();
constexpr size_t kMaxSlots = 1000;

}  // namespace

Result<WindowedQuantiles> WindowedQuantiles::Make(const Options& options) {
  if (options.slots < 1 || options.slots > kMaxSlots) {
    return Fail("windowed quantiles need 1..1000 slots, got " + std::to_string(options.slots));
  }
  if (options.window.count() < static_cast<int64_t>(options.slots)) {
    return Fail("windowed quantiles window must be at least one nanosecond per slot");
  }
  if (auto histogram = LogHistogram::Make(options.histogram); !histogram) {
    return std::unexpected(histogram.error());
  }
  return WindowedQuantiles(options);
}

WindowedQuantiles::WindowedQuantiles(const Options& options)
    : options_(options),
      slot_width_(options.window / static_cast<int64_t>(options.slots)),
      slots_(options.slots, LogHistogram(options.histogram)),
      slot_numbers_(options.slots, kNever),
      newest_slot_(kNever) {}

int64_t WindowedQuantiles::SlotNumber(TimePoint now) const {
  const int64_t ticks = now.time_since_epoch().count();
  const int64_t width = slot_width_.count();
  int64_t slot = ticks / width;
  if (ticks % width < 0) --slot;  // floor division for times before TimePoint{}
  return std::max(slot, newest_slot_);
}

bool WindowedQuantiles::InWindow(size_t i, int64_t current) const {
  const int64_t held = slot_numbers_[i];
  return held != kNever && held > current - static_cast<int64_t>(slots_.size());
}

void WindowedQuantiles::Record(double value, TimePoint now) {
  const int64_t slot = SlotNumber(now);
  newest_slot_ = slot;
  const auto k = static_cast<int64_t>(slots_.size());
  const auto position = static_cast<size_t>(((slot % k) + k) % k);
  if (slot_numbers_[position] != slot) {
    slots_[position].Reset();
    slot_numbers_[position] = slot;
  }
  slots_[position].Record(value);
}

uint64_t WindowedQuantiles::Count(TimePoint now) const {
  const int64_t current = SlotNumber(now);
  uint64_t count = 0;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (InWindow(i, current)) count += slots_[i].Count();
  }
  return count;
}

double WindowedQuantiles::Mean(TimePoint now) const {
  const int64_t current = SlotNumber(now);
  uint64_t count = 0;
  double sum = 0.0;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!InWindow(i, current)) continue;
    count += slots_[i].Count();
    sum += slots_[i].Sum();
  }
  return count == 0 ? 0.0 : sum / static_cast<double>(count);
}

double WindowedQuantiles::Min(TimePoint now) const {
  const int64_t current = SlotNumber(now);
  bool any = false;
  double min = 0.0;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!InWindow(i, current) || slots_[i].Count() == 0) continue;
    min = any ? std::min(min, slots_[i].Min()) : slots_[i].Min();
    any = true;
  }
  return min;
}

double WindowedQuantiles::Max(TimePoint now) const {
  const int64_t current = SlotNumber(now);
  double max = 0.0;  // values are >= 0, so 0 is the identity
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (InWindow(i, current) && slots_[i].Count() > 0) max = std::max(max, slots_[i].Max());
  }
  return max;
}

double WindowedQuantiles::Quantile(double q, TimePoint now) const {
  const int64_t current = SlotNumber(now);
  const uint64_t count = Count(now);
  if (count == 0) return 0.0;
  q = std::isnan(q) ? 0.0 : std::clamp(q, 0.0, 1.0);
  const auto rank = static_cast<uint64_t>(std::floor(q * static_cast<double>(count - 1)));
  if (rank == 0) return Min(now);
  if (rank == count - 1) return Max(now);
  const LogHistogram& layout = slots_.front();
  uint64_t seen = 0;
  // Walk buckets in value order, summing the live slots' counts: no merged copy needed.
  for (size_t bucket = 0; bucket < layout.num_buckets(); ++bucket) {
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (InWindow(i, current)) seen += slots_[i].BucketCount(bucket);
    }
    if (seen > rank) return std::clamp(layout.BucketValue(bucket), Min(now), Max(now));
  }
  return Max(now);  // not reached: the counts sum to count
}

Result<void> WindowedQuantiles::CopyTo(LogHistogram& out, TimePoint now) const {
  if (!out.SameLayout(slots_.front())) {
    return Fail("cannot copy a window into a histogram with different options");
  }
  out.Reset();
  const int64_t current = SlotNumber(now);
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (InWindow(i, current)) {
      if (auto merged = out.Merge(slots_[i]); !merged) return merged;
    }
  }
  return {};
}

}  // namespace huddle::core
