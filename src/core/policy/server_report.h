#pragma once

#include <cstddef>
#include <span>

#include "core/backend.h"
#include "core/random.h"
#include "core/time.h"

namespace huddle::core {

// What a backend says about itself, in a probe reply (Prequal) or piggybacked on a response (C3).
// Fields are the server's view, so they include traffic that did not come through this balancer.
struct ServerReport {
  double requests_in_flight = 0.0;  // requests the server is holding now (queued or in service)
  double latency_ms = 0.0;          // the server's recent response time (probe replies)
  double service_ms = 0.0;          // the service time of the request just answered (feedback)
};

// A policy that consumes server reports. The body (proxy, simulator) does the I/O: it calls
// ProbeTargets after each Pick to learn which backends to probe, sends the probes, and hands every
// reply and every piggybacked report to ObserveServerReport. Both run on the policy's thread and
// never allocate.
class ServerReportConsumer {
 public:
  virtual ~ServerReportConsumer() = default;

  // Backends to probe now; writes at most out.size() and returns how many. Policies that learn only
  // from piggybacked feedback return 0.
  virtual size_t ProbeTargets(TimePoint now, Random& rng, std::span<BackendIndex> out) = 0;

  // A report about `b`: a probe reply (probe = true) or feedback on a response (probe = false).
  virtual void ObserveServerReport(BackendIndex b, const ServerReport& report, bool probe,
                                   TimePoint now) = 0;
};

}  // namespace huddle::core
