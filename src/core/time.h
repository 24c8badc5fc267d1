#pragma once

#include <chrono>

namespace huddle::core {

// The brain never reads a clock: every body passes the current time in. Bodies on real time use
// std::chrono::steady_clock::now(); the simulator builds time points from its virtual clock.
using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

inline constexpr double ToSeconds(Duration d) { return std::chrono::duration<double>(d).count(); }
inline constexpr double ToMillis(Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}
inline constexpr Duration FromSeconds(double s) {
  return std::chrono::round<Duration>(std::chrono::duration<double>(s));
}
inline constexpr Duration FromMillis(double ms) {
  return std::chrono::round<Duration>(std::chrono::duration<double, std::milli>(ms));
}

}  // namespace huddle::core
