#pragma once

#include <cmath>
#include <cstdint>

namespace huddle::sim {

// Counter-based random numbers: a value is a pure function of (seed, key, stream), so a request's
// service draw does not depend on which policy ran before it or where it was sent. This is what
// gives every policy in a trial the same "common random numbers" (the same request sizes, error
// draws and think times), whatever order the events happen in.
class CounterRandom {
 public:
  explicit CounterRandom(uint64_t seed) : seed_(Mix(seed ^ 0x6a09e667f3bcc909ULL)) {}

  // A 64-bit value for (key, stream). Two rounds of the murmur3 finalizer: cheap, and every input
  // bit reaches every output bit.
  uint64_t Bits(uint64_t key, uint64_t stream) const {
    return Mix(Mix(key ^ seed_) + stream * 0x9e3779b97f4a7c15ULL);
  }
  // Uniform in (0, 1): never 0, so log() is always finite.
  double Unit(uint64_t key, uint64_t stream) const {
    return (static_cast<double>(Bits(key, stream) >> 11) + 0.5) * 0x1.0p-53;
  }
  // Exponential with mean 1.
  double Exponential(uint64_t key, uint64_t stream) const { return -std::log(Unit(key, stream)); }
  // Standard normal (Box-Muller, one of the pair).
  double Normal(uint64_t key, uint64_t stream) const {
    const double u1 = Unit(key, stream);
    const double u2 = Unit(key, stream + 0x51ed27ULL);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  static uint64_t Mix(uint64_t z) {
    z ^= z >> 33;
    z *= 0xff51afd7ed558ccdULL;
    z ^= z >> 33;
    z *= 0xc4ceb9fe1a85ec53ULL;
    z ^= z >> 33;
    return z;
  }

 private:
  uint64_t seed_;
};

}  // namespace huddle::sim
