#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/engine.h"
#include "storage/database.h"

namespace huddle::engine {

// A stored event, as read back.
struct StoredEvent {
  double at_s = 0.0;  // Unix seconds
  std::string service;
  std::string kind;
  std::string severity;
  std::string reason;
};

// How long each kind of row is kept.
struct RetentionOptions {
  double events_s = 7 * 86400.0;
  double directives_s = 30 * 86400.0;
  double snapshots_s = 86400.0;
  double rollups_s = 7 * 86400.0;
};

// The engine's history in SQL: events, directives, periodic snapshots (JSON documents) and
// per-service telemetry roll-ups (means over each flush period), with retention. One schema for
// SQLite and PostgreSQL, created on Open (CREATE TABLE IF NOT EXISTS; no migrations yet). Times
// are Unix seconds passed in by the caller. Not thread-safe (one writer: the server's storage
// step, under the engine lock).
class EngineStore {
 public:
  // Opens `url` (see storage::OpenDatabase) and creates the schema.
  static core::Result<std::unique_ptr<EngineStore>> Open(const std::string& url);
  // Takes an open database and creates the schema.
  static core::Result<std::unique_ptr<EngineStore>> Create(std::unique_ptr<storage::Database> db);

  core::Result<void> SaveEvents(std::span<const EngineEvent> events, double wall_offset_s);
  core::Result<void> SaveDirectives(std::span<const Directive> directives, double wall_offset_s);
  core::Result<void> SaveSnapshot(const std::string& json, double at_s);
  // Adds one tick of every service to the roll-up accumulators (no I/O).
  void Accumulate(std::span<const ServiceView> services);
  // Writes one row per service with the means since the last flush, and resets.
  core::Result<void> FlushRollups(double at_s);
  // Deletes rows older than the retention of their table; returns the rows deleted.
  core::Result<int64_t> ApplyRetention(double now_s, const RetentionOptions& retention);

  core::Result<std::vector<StoredEvent>> RecentEvents(int64_t limit);
  core::Result<int64_t> CountRows(const std::string& table);
  storage::Database& database() { return *db_; }

  // The tables, for tests and docs.
  static constexpr const char* kEvents = "huddle_engine_events";
  static constexpr const char* kDirectives = "huddle_engine_directives";
  static constexpr const char* kSnapshots = "huddle_engine_snapshots";
  static constexpr const char* kRollups = "huddle_engine_rollups";

 private:
  explicit EngineStore(std::unique_ptr<storage::Database> db) : db_(std::move(db)) {}
  core::Result<void> CreateSchema();
  core::Result<void> InTransaction(const std::function<core::Result<void>()>& body);

  struct Rollup {
    int64_t ticks = 0;
    double request_rate = 0.0;
    double unique_demand = 0.0;
    double error_rate = 0.0;
    double p99_ms = 0.0;
    double rho = 0.0;
    double ready = 0.0;
    int target = 0;
  };
  std::unique_ptr<storage::Database> db_;
  std::map<std::string, Rollup> rollups_;
};

}  // namespace huddle::engine
