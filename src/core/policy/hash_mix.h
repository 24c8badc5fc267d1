#pragma once

#include <cstdint>

namespace huddle::core {

// splitmix64's finaliser (Steele, Lea and Flood; as in xoshiro's seeding): a cheap bijective mix
// that spreads any 64-bit input, including small or sequential keys, over the whole range.
inline constexpr uint64_t HashMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace huddle::core
