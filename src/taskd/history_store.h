#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "core/tasks/planner_options.h"
#include "storage/database.h"
#include "taskd/coordinator.h"

namespace huddle::taskd {

// The balancer's history: one row per balancing round in the seed's `load_balancer_metrics`
// table (id, timestamp, system_load, threshold_high, threshold_low, imbalance_score,
// migrations_initiated, migrations_successful, prediction_accuracy, metrics JSON), in SQLite or
// PostgreSQL through storage::Database. Timestamps are UTC "YYYY-MM-DD HH:MM:SS.ffffff" (a
// TIMESTAMP in PostgreSQL, text in SQLite), so the seed's example queries run on both.
// Not thread-safe (one writer: the coordinator's service loop).
class HistoryStore {
 public:
  // Opens the database (storage::OpenDatabase URL) and creates the table when missing.
  static core::Result<std::unique_ptr<HistoryStore>> Open(const std::string& url);
  explicit HistoryStore(std::unique_ptr<storage::Database> db) : db_(std::move(db)) {}

  core::Result<void> CreateSchema();
  core::Result<void> Record(const BalanceRecord& record, const core::PlannerOptions& options,
                            std::chrono::system_clock::time_point wall_time);

  storage::Database& database() { return *db_; }

 private:
  std::unique_ptr<storage::Database> db_;
};

// The metrics JSON document of one row, shaped as the seed documents it (worker_count,
// active_migrations, thresholds, migrations, features, prediction) plus the trend and the
// round's candidate count.
nlohmann::json MetricsDocument(const BalanceRecord& record, const core::PlannerOptions& options);

// "YYYY-MM-DD HH:MM:SS.ffffff" in UTC.
std::string FormatTimestamp(std::chrono::system_clock::time_point t);

}  // namespace huddle::taskd
