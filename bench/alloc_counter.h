#pragma once

#include <atomic>
#include <cstdint>

namespace huddle::bench {

// Incremented by the replaced global operator new (alloc_counter.cc).
extern std::atomic<uint64_t> g_allocations;

inline uint64_t Allocations() { return g_allocations.load(std::memory_order_relaxed); }

}  // namespace huddle::bench
