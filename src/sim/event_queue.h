#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace huddle::sim {

// What a simulator event does; the payload fields mean different things per kind.
enum class EventKind : uint8_t {
  kClientNext,   // closed-loop client issues its next request; a = client
  kAttemptEnd,   // an attempt finished or timed out; a = request slot, b = attempt serial
  kRetry,        // a backoff ended; a = request slot, b = attempt serial of the retry
  kTick,         // control tick (brain, policy, probes, metrics)
  kFault,        // a fault starts or ends; a = fault index, b = 1 start / 0 end
  kStop,         // end of the measured run
  kExternal,     // outside traffic reaches a backend directly; a = backend
  kExternalEnd,  // an outside request leaves its backend; a = backend
};

// One scheduled event. time is virtual nanoseconds since the start of the run.
struct Event {
  int64_t time_ns = 0;
  uint64_t seq = 0;  // insertion order: ties are broken first-in first-out, deterministically
  uint32_t a = 0;
  uint32_t b = 0;
  EventKind kind = EventKind::kStop;
};

// A 4-ary min-heap of events ordered by (time, seq). Four children per node halve the depth of a
// binary heap and keep siblings in one cache line, which matters at millions of events a second.
// Not thread-safe. Push and Pop are O(log n) and allocate only when the heap grows.
class EventQueue {
 public:
  void Push(int64_t time_ns, EventKind kind, uint32_t a = 0, uint32_t b = 0) {
    Event e{time_ns, next_seq_++, a, b, kind};
    size_t i = heap_.size();
    heap_.push_back(e);
    while (i > 0) {
      const size_t parent = (i - 1) / 4;
      if (!Less(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  // REQUIRES: !empty().
  Event Pop() {
    const Event top = heap_.front();
    const Event last = heap_.back();
    heap_.pop_back();
    const size_t n = heap_.size();
    if (n > 0) {
      size_t i = 0;
      for (;;) {
        const size_t first = 4 * i + 1;
        if (first >= n) break;
        size_t best = first;
        const size_t end = first + 4 < n ? first + 4 : n;
        for (size_t c = first + 1; c < end; ++c) {
          if (Less(heap_[c], heap_[best])) best = c;
        }
        if (!Less(heap_[best], last)) break;
        heap_[i] = heap_[best];
        i = best;
      }
      heap_[i] = last;
    }
    return top;
  }

  const Event& Top() const { return heap_.front(); }
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  void Clear() {
    heap_.clear();
    next_seq_ = 0;
  }
  void Reserve(size_t n) { heap_.reserve(n); }

 private:
  static bool Less(const Event& x, const Event& y) {
    return x.time_ns < y.time_ns || (x.time_ns == y.time_ns && x.seq < y.seq);
  }

  std::vector<Event> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace huddle::sim
