#pragma once

// A clock that moves only when told, for tests and simulations driven from Python. The Cluster
// reads it from any thread without the GIL, so the time is one atomic.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace huddle::python {

class ManualClock {
 public:
  explicit ManualClock(std::chrono::nanoseconds start) : ns_(start.count()) {}

  std::chrono::steady_clock::time_point Now() const {
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::nanoseconds(ns_.load(std::memory_order_acquire))));
  }
  double Seconds() const { return static_cast<double>(ns_.load()) / 1e9; }
  void Advance(std::chrono::nanoseconds by) { ns_.fetch_add(by.count()); }
  void Set(std::chrono::nanoseconds to) { ns_.store(to.count()); }

 private:
  std::atomic<int64_t> ns_;
};

}  // namespace huddle::python
