#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace huddle::core {

__extension__ using Uint128 = unsigned __int128;

// Source of randomness for the brain. Bodies own one per thread and pass it in; tests script it.
// Not thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  virtual uint64_t NextU64() = 0;

  // Uniform integer in [0, n). REQUIRES: n > 0. Lemire's multiply-shift, no modulo bias worth
  // caring about for n far below 2^64.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<Uint128>(NextU64()) * n) >> 64);
  }
  // Uniform double in [0, 1).
  double UnitDouble() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }
};

// xoshiro256** (Blackman and Vigna), seeded through splitmix64. Fast, small, good enough for
// load balancing and simulation; not for cryptography.
class Xoshiro256 final : public Random {
 public:
  explicit Xoshiro256(uint64_t seed);
  uint64_t NextU64() override;

 private:
  uint64_t s_[4];
};

// Returns the scripted values in order, then repeats from the start. For tests that must control
// every random choice. REQUIRES: values is not empty.
class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::vector<uint64_t> values) : values_(std::move(values)) {}
  uint64_t NextU64() override {
    const uint64_t v = values_[next_ % values_.size()];
    ++next_;
    return v;
  }
  // The raw value that makes Below(n) return k, for scripting picks: ScriptedRandom({For(2, 5)}).
  static uint64_t For(uint64_t k, uint64_t n) {
    // Smallest x with (x * n) >> 64 == k is ceil(k * 2^64 / n).
    const Uint128 num = (static_cast<Uint128>(k) << 64) + n - 1;
    return static_cast<uint64_t>(num / n);
  }

 private:
  std::vector<uint64_t> values_;
  size_t next_ = 0;
};

}  // namespace huddle::core
