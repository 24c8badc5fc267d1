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

void* AllocateAligned(std::size_t size, std::align_val_t alignment) {
  huddle::support::g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto align = static_cast<std::size_t>(alignment);
  const std::size_t rounded = (size + align - 1) / align * align;
  void* p = std::aligned_alloc(align, rounded == 0 ? align : rounded);
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

// Every form of the global allocation functions is replaced, so that each allocation and its
// deallocation go through the same pair (std::stable_sort uses the nothrow form, for example).
void* operator new(std::size_t size) { return Allocate(size); }
void* operator new[](std::size_t size) { return Allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return Allocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return AllocateAligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return AllocateAligned(size, alignment);
}
void operator delete(void* p) noexcept { Release(p); }
void operator delete[](void* p) noexcept { Release(p); }
void operator delete(void* p, std::size_t) noexcept { Release(p); }
void operator delete[](void* p, std::size_t) noexcept { Release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { Release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { Release(p); }
void operator delete(void* p, std::align_val_t) noexcept { Release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { Release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { Release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { Release(p); }
