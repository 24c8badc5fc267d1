// Counts heap allocations and live heap bytes so benchmarks can report allocations per operation
// and state per backend.
#include "alloc_counter.h"

#include <malloc.h>

#include <cstdlib>
#include <new>

namespace huddle::support {
std::atomic<uint64_t> g_allocations{0};
std::atomic<int64_t> g_live_bytes{0};
}  // namespace huddle::support

namespace {

void* Allocate(std::size_t size) {
  huddle::support::g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  huddle::support::g_live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)),
                                          std::memory_order_relaxed);
  return p;
}

void Release(void* p) {
  if (p == nullptr) return;
  huddle::support::g_live_bytes.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)),
                                          std::memory_order_relaxed);
  std::free(p);
}

}  // namespace

void* operator new(std::size_t size) { return Allocate(size); }
void* operator new[](std::size_t size) { return Allocate(size); }
void operator delete(void* p) noexcept { Release(p); }
void operator delete[](void* p) noexcept { Release(p); }
void operator delete(void* p, std::size_t) noexcept { Release(p); }
void operator delete[](void* p, std::size_t) noexcept { Release(p); }
