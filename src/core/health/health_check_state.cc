#include "core/health/health_check_state.h"

#include <algorithm>
#include <limits>

namespace huddle::core {
namespace {

// Streaks saturate instead of wrapping after four billion checks.
void Increment(uint32_t& streak) {
  if (streak < std::numeric_limits<uint32_t>::max()) ++streak;
}

}  // namespace

Result<HealthCheckOptions> HealthCheckOptions::Parse(const OptionMap& options) {
  HealthCheckOptions o;
  OptionReader r(options, "health_check");
  o.interval = r.Time("interval", o.interval, {.min = 0, .min_exclusive = true});
  o.timeout = r.Time("timeout", o.timeout, {.min = 0, .min_exclusive = true});
  o.rise = static_cast<int>(r.Int("rise", o.rise, {.min = 1, .max = 1000}));
  o.fall = static_cast<int>(r.Int("fall", o.fall, {.min = 1, .max = 1000}));
  o.path = r.String("path", o.path);
  if (o.timeout > o.interval) {
    // A check still running when the next one is due would overlap it; HAProxy and Envoy both
    // allow it, but then the rise/fall counts no longer mean "in a row".
    r.Problem("timeout must not exceed interval");
  }
  if (o.path.empty() || o.path.front() != '/') r.Problem("path must start with '/'");
  if (auto done = r.Finish(); !done) return std::unexpected(done.error());
  return o;
}

HealthCheckState::HealthCheckState(int rise, int fall, bool start_healthy)
    : rise_(std::max(rise, 1)), fall_(std::max(fall, 1)), healthy_(start_healthy) {}

bool HealthCheckState::Observe(bool ok) {
  if (ok) {
    failures_ = 0;
    Increment(passes_);
    if (!healthy_ && passes_ >= static_cast<uint32_t>(rise_)) {
      healthy_ = true;
      return true;
    }
  } else {
    passes_ = 0;
    Increment(failures_);
    if (healthy_ && failures_ >= static_cast<uint32_t>(fall_)) {
      healthy_ = false;
      return true;
    }
  }
  return false;
}

void HealthCheckState::Reset(bool healthy) {
  healthy_ = healthy;
  passes_ = 0;
  failures_ = 0;
}

}  // namespace huddle::core
