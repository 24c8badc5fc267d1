#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/backend.h"
#include "core/event.h"
#include "core/policy/routing_table.h"
#include "core/random.h"
#include "core/time.h"

namespace huddle::core {

// What a body hands to Pick. The random source belongs to the caller (one per thread), so tests
// script it and the simulator gives every policy the same draws.
struct PickContext {
  TimePoint now;
  Random& rng;
  // Affinity key for consistent hashing (a hashed header, cookie or client address).
  std::optional<uint64_t> hash_key;
};

// Receives named gauges that a policy exposes about itself or one backend (for the health report
// and Prometheus: gauge "temperature" of a backend becomes huddle_server_temperature). Names are
// snake_case and stable.
class StatSink {
 public:
  virtual ~StatSink() = default;
  virtual void Gauge(std::string_view name, double value) = 0;
};

// Something a policy decided on its own (a rotation, an eviction), for logs and timelines.
using PolicyEvent = DecisionEvent;
using PolicyEventListener = DecisionListener;

// A routing policy. One instance per worker thread; not thread-safe.
//
// Lifecycle: Update() with the first table before any Pick(); then, per request, Pick() chooses a
// backend, OnSend() says the request went to it, and Observe() reports how it ended. Bodies also
// forward backend load reports (ObserveMetrics) and call Tick() at their control interval.
// Pick, OnSend and Observe never allocate.
class Policy {
 public:
  virtual ~Policy() = default;

  virtual std::string_view Name() const = 0;

  // A new set of eligible backends and weights. May allocate (it runs off the request path).
  virtual void Update(const RoutingTable& table) = 0;

  // Chooses one of the table's entries, or nullopt when the table is empty.
  virtual std::optional<BackendIndex> Pick(const PickContext& ctx) = 0;

  // The request picked for `b` was dispatched to it (it is now in flight).
  virtual void OnSend(BackendIndex /*b*/, TimePoint /*now*/) {}

  // A request sent to `b` finished (successfully or not). Every OnSend gets exactly one Observe.
  virtual void Observe(BackendIndex b, const Outcome& outcome, TimePoint now) = 0;

  // A load report from or about `b` (probe, scrape, gossip).
  virtual void ObserveMetrics(BackendIndex /*b*/, const BackendMetrics& /*m*/) {}

  // The result of an active health check of `b` (not a user request): fresh evidence about a
  // backend that may receive no traffic.
  virtual void ObserveProbe(BackendIndex /*b*/, const Outcome& /*o*/, TimePoint /*now*/) {}

  // Periodic work: decay, weight recomputation, rotation. Called by the body's control loop.
  virtual void Tick(TimePoint /*now*/) {}

  // Exposes the policy's own gauges (cluster-wide, then per backend). Off the request path.
  virtual void ReportCluster(StatSink& /*sink*/) const {}
  virtual void ReportBackend(BackendIndex /*b*/, StatSink& /*sink*/) const {}

  // Decisions the policy takes by itself are delivered here (called synchronously from
  // Tick/Observe; the listener must not call back into the policy).
  virtual void SetEventListener(PolicyEventListener /*listener*/) {}
};

}  // namespace huddle::core
