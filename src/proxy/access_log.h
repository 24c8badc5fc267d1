#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace huddle::proxy {

// One worker's access-log lines (JSON, one per request) waiting for the writer. The worker
// appends under a mutex that only the writer thread contends for, at its flush interval; when
// the buffer is full, lines are dropped and counted rather than blocking the request path.
class AccessLogBuffer {
 public:
  explicit AccessLogBuffer(size_t capacity_bytes) : capacity_(capacity_bytes) {
    buffer_.reserve(capacity_bytes);
  }

  // Worker thread: appends one complete line (with its '\n').
  void Append(std::string_view line) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (buffer_.size() + line.size() > capacity_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    buffer_.append(line);
  }
  // Writer thread: swaps the pending lines into `out` (cleared first).
  void Take(std::string& out) {
    out.clear();
    std::lock_guard<std::mutex> lock(mutex_);
    out.swap(buffer_);
    buffer_.reserve(capacity_);
  }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::string buffer_;
  std::atomic<uint64_t> dropped_{0};
};

// Escapes a string for a JSON string literal (quotes not included).
void AppendJsonEscaped(std::string& out, std::string_view s);

}  // namespace huddle::proxy
