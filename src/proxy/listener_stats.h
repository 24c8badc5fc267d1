#pragma once

#include <atomic>
#include <cstdint>

namespace huddle::proxy {

// Counters of one listener, shared by every worker (relaxed atomics; touched once per
// connection or per rejected request, never per forwarded request).
struct ListenerStats {
  std::atomic<uint64_t> connections_total{0};
  std::atomic<int64_t> connections_active{0};
  std::atomic<uint64_t> connections_rejected{0};  // over max_connections
  std::atomic<uint64_t> requests_rejected{0};     // answered 4xx by the proxy (parse, limits)
  std::atomic<uint64_t> timeouts_408{0};
  std::atomic<uint64_t> local_502{0};
  std::atomic<uint64_t> local_503{0};
  std::atomic<uint64_t> local_504{0};
};

}  // namespace huddle::proxy
