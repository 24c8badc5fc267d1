#pragma once

#include <string>
#include <vector>

#include "proxy/config.h"

namespace huddle::proxy {

// What a reload (SIGHUP) may change in a running proxy. Every key of ProxyConfig is in exactly
// one of two groups, and a reload never ignores one silently:
//   applied live: admin.token; drain_timeout; listeners' max_header_bytes, max_header_count,
//     max_uri_bytes, max_body_bytes, header_timeout, idle_timeout, max_connections; clusters'
//     policy and its options, backends (matched by name), retries, timeouts,
//     max_idle_per_backend, health_check enabled/path/interval/timeout/status_min/status_max.
//   restart only: everything else (threads, tick, request_id_header, admin enabled/address,
//     engine, adaptive_concurrency, access_log, the set of listeners and clusters, a listener's
//     name/address/cluster/backlog, health_check rise/fall, outlier_detection, slow_start,
//     panic_threshold_percent).
// Returns one entry per restart-only key that differs, named as in the YAML
// ("threads: 4 -> 8", "listeners[web].address: ..."); empty when the reload may proceed.
std::vector<std::string> KeysNeedingRestart(const ProxyConfig& running, const ProxyConfig& next);

}  // namespace huddle::proxy
