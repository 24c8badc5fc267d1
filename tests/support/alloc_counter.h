#pragma once

#include <atomic>
#include <cstdint>

namespace huddle::support {

// Maintained by the replaced global operator new/delete (alloc_counter.cc).
extern std::atomic<uint64_t> g_allocations;  // calls to operator new
extern std::atomic<int64_t> g_live_bytes;    // bytes currently allocated (malloc_usable_size)

inline uint64_t Allocations() { return g_allocations.load(std::memory_order_relaxed); }
inline int64_t LiveBytes() { return g_live_bytes.load(std::memory_order_relaxed); }

}  // namespace huddle::support
