// Counts heap allocations so benchmarks can report allocations per operation.
#include "alloc_counter.h"

#include <cstdlib>
#include <new>

namespace huddle::bench {
std::atomic<uint64_t> g_allocations{0};
}

void* operator new(std::size_t size) {
  huddle::bench::g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
