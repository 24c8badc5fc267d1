#include "taskd/history_store.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>

namespace huddle::taskd {

using nlohmann::json;

std::string FormatTimestamp(std::chrono::system_clock::time_point t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t - seconds).count();
  const std::time_t tt = std::chrono::system_clock::to_time_t(seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}

json MetricsDocument(const BalanceRecord& record, const core::PlannerOptions& options) {
  const core::BalanceRound& r = record.round;
  const int finished = record.migrations_successful + record.migrations_failed;
  return {
      {"worker_count", r.workers},
      {"active_migrations", record.active_migrations},
      {"thresholds",
       {{"high", r.threshold_high},
        {"low", r.threshold_low},
        {"initial_high", options.utilization_threshold_high},
        {"initial_low", options.utilization_threshold_low}}},
      {"migrations",
       {{"initiated", record.migrations_initiated},
        {"successful", record.migrations_successful},
        {"failed", record.migrations_failed},
        {"success_rate", finished == 0 ? json(nullptr)
                                       : json(static_cast<double>(record.migrations_successful) /
                                              static_cast<double>(finished))},
        {"lifetime_success_rate", record.success_rate}}},
      {"features",
       {{"dynamic_thresholds", options.enable_dynamic_thresholds},
        {"predictive_balancing", options.enable_predictive_balancing},
        {"cost_benefit_analysis", options.enable_cost_benefit_analysis},
        {"hardware_specific", options.enable_hardware_specific_strategies},
        {"resource_efficiency", options.enable_resource_efficiency}}},
      {"prediction",
       {{"current_load", r.system_load},
        {"predicted_load", r.predicted_system_load},
        {"confidence", r.prediction_confidence},
        {"window_minutes", core::ToSeconds(options.prediction_window) / 60.0},
        {"current_imbalance", r.current_imbalance},
        {"predicted_imbalance", r.predicted_imbalance},
        {"acted_on_prediction", r.acted_on_prediction}}},
      {"load_stddev", r.load_stddev},
      {"candidates", r.candidates.size()},
  };
}

core::Result<std::unique_ptr<HistoryStore>> HistoryStore::Open(const std::string& url) {
  auto db = storage::OpenDatabase(url);
  if (!db) return std::unexpected(db.error());
  auto store = std::make_unique<HistoryStore>(std::move(*db));
  if (auto s = store->CreateSchema(); !s) return std::unexpected(s.error());
  return store;
}

core::Result<void> HistoryStore::CreateSchema() {
  const storage::Dialect d = db_->dialect();
  return db_->ExecuteScript(
      fmt::format("CREATE TABLE IF NOT EXISTS load_balancer_metrics ("
                  "id {}, timestamp TIMESTAMP, system_load FLOAT, threshold_high FLOAT, "
                  "threshold_low FLOAT, imbalance_score FLOAT, migrations_initiated INTEGER, "
                  "migrations_successful INTEGER, prediction_accuracy FLOAT, metrics {})",
                  storage::SerialPrimaryKey(d), storage::JsonColumnType(d)));
}

core::Result<void> HistoryStore::Record(const BalanceRecord& record,
                                        const core::PlannerOptions& options,
                                        std::chrono::system_clock::time_point wall_time) {
  const core::BalanceRound& r = record.round;
  const storage::SqlValue accuracy = r.prediction_accuracy
                                         ? storage::SqlValue(*r.prediction_accuracy)
                                         : storage::SqlValue(nullptr);
  const storage::SqlValue params[] = {FormatTimestamp(wall_time),
                                      r.system_load,
                                      r.threshold_high,
                                      r.threshold_low,
                                      r.imbalance_score,
                                      int64_t{record.migrations_initiated},
                                      int64_t{record.migrations_successful},
                                      accuracy,
                                      MetricsDocument(record, options).dump()};
  return db_->Execute(
      "INSERT INTO load_balancer_metrics (timestamp, system_load, threshold_high, threshold_low, "
      "imbalance_score, migrations_initiated, migrations_successful, prediction_accuracy, "
      "metrics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      params);
}

}  // namespace huddle::taskd
