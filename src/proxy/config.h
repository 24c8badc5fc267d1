#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/address.h"
#include "common/config_diagnostics.h"
#include "core/control/gradient_controller.h"
#include "core/options.h"
#include "core/time.h"
#include "engine/engine_options.h"

namespace huddle::proxy {

using core::Duration;

// Everything `huddle proxy -c FILE` reads. Defaults are the values documented in docs/config.md;
// change both together.

struct AdminConfig {
  bool enabled = true;
  common::HostPort address{"127.0.0.1", 9901};
  // Required (non-empty) when the address is not loopback; sent as "Authorization: Bearer T".
  std::string token;
};

// Client-side limits and timeouts of one listener.
struct ListenerConfig {
  std::string name;
  common::HostPort address;
  std::string cluster;
  int backlog = 4096;
  size_t max_header_bytes = 16 * 1024;                 // request line + headers; beyond: 431
  size_t max_header_count = 100;                       // beyond: 431
  size_t max_uri_bytes = 8 * 1024;                     // beyond: 414
  uint64_t max_body_bytes = 64ull << 20;               // beyond: 413; 0 = unlimited
  Duration header_timeout = std::chrono::seconds(10);  // first byte to end of headers: 408
  Duration idle_timeout = std::chrono::seconds(60);    // keep-alive idle, and body inactivity
  // A request body must arrive at `min_body_rate` bytes/s on average after a grace of
  // `body_timeout` (Apache mod_reqtimeout's body=20,MinRate=500): the deadline for the next byte
  // is body start + body_timeout + bytes so far / min_body_rate. Beyond it: 408. 0 = no rate.
  Duration body_timeout = std::chrono::seconds(20);
  uint64_t min_body_rate = 500;
  size_t max_connections = 20000;  // per listener and worker
  int line = -1;                   // for messages
};

struct BackendConfig {
  std::string name;
  common::HostPort address;
  double weight = 1.0;
};

struct HealthCheckConfig {
  bool enabled = true;
  std::string path = "/healthz";
  Duration interval = std::chrono::seconds(1);
  Duration timeout = std::chrono::milliseconds(500);
  int rise = 2;
  int fall = 2;
  int expected_status_min = 200;  // a 2xx or 3xx answer passes
  int expected_status_max = 399;
};

struct RetryConfig {
  int attempts = 2;               // retries after the first try (0 disables)
  bool on_5xx = true;             // retry idempotent requests answered 5xx (502/503/504 always)
  bool on_reset = true;           // retry idempotent requests whose connection broke
  bool on_timeout = true;         // retry idempotent requests that timed out (per try)
  double budget_percent = 20.0;   // Envoy's retry budget: share of active requests ...
  int min_retry_concurrency = 3;  // ... but at least this many concurrent retries
  Duration backoff_base = std::chrono::milliseconds(5);
  Duration backoff_max = std::chrono::milliseconds(100);
  Duration per_try_timeout{0};  // 0: the response timeout applies to each try
};

struct ClusterConfig {
  std::string name;
  std::string policy = "round_robin";
  core::OptionMap policy_options;
  std::vector<BackendConfig> backends;
  HealthCheckConfig health_check;
  bool outlier_detection = true;
  core::OptionMap outlier_options;
  // core::SlowStartOptions keys (window, aggression, min_weight_percent); empty: off.
  core::OptionMap slow_start_options;
  RetryConfig retries;
  Duration connect_timeout = std::chrono::seconds(1);
  Duration response_timeout = std::chrono::seconds(15);  // dispatch to response headers: 504
  // The whole request, every try and backoff included, from its head read to the response's
  // head (Envoy's route timeout); each try is also held to retries.per_try_timeout, or to
  // response_timeout. Beyond it: 504, no further try.
  Duration request_timeout = std::chrono::seconds(15);
  Duration upstream_idle_timeout = std::chrono::seconds(60);
  size_t max_idle_per_backend = 256;  // pooled idle connections per backend and worker
  double panic_threshold_percent = 50.0;
  int line = -1;
};

struct AccessLogConfig {
  std::string path;               // empty: off; "-": standard output
  size_t buffer_bytes = 1 << 20;  // per worker; lines beyond it are dropped and counted
};

// The predictive engine embedded in the proxy (docs/engine.md, "Embedding in a proxy"): fed one
// point per cluster every `options.tick`, its API served on the admin listener. Off by default.
struct ProxyEngineConfig {
  bool enabled = false;
  bool shedding = true;  // apply the engine's admission decision (false: observe only)
  engine::EngineOptions options;
  std::string source;  // the section as loaded (YAML::Dump), for the reload's comparison
};

// Load shedding by an adaptive concurrency limit per cluster (docs/config.md,
// "adaptive_concurrency"): Envoy's gradient controller on every admitted request's latency.
// Off by default (opt in): its first minRTT measurement holds a closed-loop load to half of its
// concurrency, which shed 12 % of the side-by-side benchmark's requests (docs/config.md). When on,
// the proxy starts with no effective limit (initial_limit = the maximum) and measures minRTT at
// half the limit in force instead of Envoy's pin at min_concurrency.
struct AdaptiveConcurrencyConfig {
  bool enabled = false;
  core::GradientControllerOptions options = Defaults();
  std::string source;  // the section as loaded (YAML::Dump), for the reload's comparison

  static core::GradientControllerOptions Defaults() {
    core::GradientControllerOptions o;
    o.max_concurrency_limit = 10000;
    o.initial_limit = o.max_concurrency_limit;
    o.min_rtt_limit_percent = 50.0;
    return o;
  }
};

struct ProxyConfig {
  int threads = 0;  // 0: number of cores
  Duration tick = std::chrono::milliseconds(100);
  Duration drain_timeout = std::chrono::seconds(15);
  std::string request_id_header = "x-request-id";
  AdminConfig admin;
  ProxyEngineConfig engine;
  AdaptiveConcurrencyConfig adaptive_concurrency;
  AccessLogConfig access_log;
  std::vector<ListenerConfig> listeners;
  std::vector<ClusterConfig> clusters;

  const ClusterConfig* FindCluster(const std::string& name) const;
};

// Parses and validates a config. On failure the error lists every problem, one per line, each
// as "file:line:column: message".
core::Result<ProxyConfig> LoadConfigFile(const std::string& path);
core::Result<ProxyConfig> ParseConfig(const std::string& yaml_text, const std::string& file_name);

// Names the policies the proxy can run (from the brain's factory).
std::vector<std::string> KnownPolicies();

}  // namespace huddle::proxy
