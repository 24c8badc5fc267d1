#include "taskd/history_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace huddle::taskd {
namespace {

using std::chrono::system_clock;

// Runs on SQLite (a fresh file) and on PostgreSQL (HUDDLE_TEST_POSTGRES_URL, set by
// scripts/with_postgres.sh; skipped without it).
class HistoryStoreTest : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string url;
    if (GetParam() == "sqlite") {
      path_ = std::filesystem::temp_directory_path() /
              ("huddle-taskd-history-" + std::to_string(::getpid()) + ".sqlite");
      std::filesystem::remove(path_);
      url = "sqlite:" + path_.string();
    } else {
      const char* pg = std::getenv("HUDDLE_TEST_POSTGRES_URL");
      if (pg == nullptr) GTEST_SKIP() << "HUDDLE_TEST_POSTGRES_URL is not set";
      url = pg;
      auto db = storage::OpenDatabase(url);
      ASSERT_TRUE(db.has_value()) << db.error().message;
      ASSERT_TRUE((*db)->ExecuteScript("DROP TABLE IF EXISTS load_balancer_metrics").has_value());
    }
    auto store = HistoryStore::Open(url);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    if (!path_.empty()) std::filesystem::remove(path_);
  }

  // Rounds on two days: day 1 has 4 initiated / 3 successful, day 2 has 2 / 2.
  void WriteRounds() {
    const system_clock::time_point day1 =
        system_clock::from_time_t(1767261600);  // 2026-01-01 10:00 UTC
    const system_clock::time_point day2 = day1 + std::chrono::hours(24);
    struct Row {
      system_clock::time_point at;
      double load;
      int initiated;
      int successful;
      std::optional<double> accuracy;
    };
    const Row rows[] = {{day1, 0.5, 2, 1, std::nullopt},
                        {day1 + std::chrono::minutes(1), 0.6, 2, 2, 0.9},
                        {day2, 0.7, 1, 1, 0.8},
                        {day2 + std::chrono::minutes(1), 0.8, 1, 1, std::nullopt}};
    for (const Row& r : rows) {
      BalanceRecord record;
      record.round.system_load = r.load;
      record.round.workers = 3;
      record.round.threshold_high = 0.85;
      record.round.threshold_low = 0.2;
      record.round.imbalance_score = r.load / 2;
      record.round.prediction_accuracy = r.accuracy;
      record.migrations_initiated = r.initiated;
      record.migrations_successful = r.successful;
      auto s = store_->Record(record, core::PlannerOptions{}, r.at);
      ASSERT_TRUE(s.has_value()) << s.error().message;
    }
  }

  std::filesystem::path path_;
  std::unique_ptr<HistoryStore> store_;
};

double AsDouble(const storage::SqlValue& v) {
  if (std::holds_alternative<double>(v)) return std::get<double>(v);
  if (std::holds_alternative<int64_t>(v)) return static_cast<double>(std::get<int64_t>(v));
  if (std::holds_alternative<std::string>(v)) return std::stod(std::get<std::string>(v));
  return -1;
}

TEST_P(HistoryStoreTest, RecentThresholdAdjustmentsQuery) {
  WriteRounds();
  auto rows = store_->database().Query(
      "SELECT timestamp, threshold_high, threshold_low, system_load "
      "FROM load_balancer_metrics ORDER BY timestamp DESC LIMIT 50");
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_DOUBLE_EQ(AsDouble((*rows)[0][3]), 0.8);  // newest first
  EXPECT_DOUBLE_EQ(AsDouble((*rows)[3][3]), 0.5);
  EXPECT_DOUBLE_EQ(AsDouble((*rows)[0][1]), 0.85);
}

TEST_P(HistoryStoreTest, MigrationSuccessRateByDayQuery) {
  WriteRounds();
  auto rows = store_->database().Query(
      "SELECT DATE(timestamp) as date, SUM(migrations_initiated) as total_migrations, "
      "SUM(migrations_successful) as successful_migrations, "
      "ROUND(SUM(migrations_successful) * 100.0 / SUM(migrations_initiated), 1) as success_rate "
      "FROM load_balancer_metrics GROUP BY DATE(timestamp) ORDER BY date DESC");
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(std::get<std::string>((*rows)[0][0]).substr(0, 10), "2026-01-02");
  EXPECT_DOUBLE_EQ(AsDouble((*rows)[0][1]), 2);
  EXPECT_DOUBLE_EQ(AsDouble((*rows)[0][3]), 100.0);
  EXPECT_DOUBLE_EQ(AsDouble((*rows)[1][1]), 4);
  EXPECT_DOUBLE_EQ(AsDouble((*rows)[1][2]), 3);
  EXPECT_DOUBLE_EQ(AsDouble((*rows)[1][3]), 75.0);
}

TEST_P(HistoryStoreTest, PredictionAccuracyQuery) {
  WriteRounds();
  auto rows = store_->database().Query(
      "SELECT timestamp, prediction_accuracy, system_load, imbalance_score "
      "FROM load_balancer_metrics WHERE prediction_accuracy IS NOT NULL "
      "ORDER BY timestamp DESC LIMIT 100");
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_DOUBLE_EQ(AsDouble((*rows)[0][1]), 0.8);
  EXPECT_DOUBLE_EQ(AsDouble((*rows)[1][1]), 0.9);
  EXPECT_DOUBLE_EQ(AsDouble((*rows)[1][3]), 0.3);
}

TEST_P(HistoryStoreTest, MetricsColumnHoldsTheSeedsJsonDocument) {
  WriteRounds();
  auto rows = store_->database().Query(
      "SELECT metrics FROM load_balancer_metrics ORDER BY timestamp ASC LIMIT 1");
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  const auto doc = nlohmann::json::parse(std::get<std::string>((*rows)[0][0]));
  EXPECT_EQ(doc["worker_count"], 3);
  EXPECT_EQ(doc["migrations"]["initiated"], 2);
  EXPECT_EQ(doc["migrations"]["successful"], 1);
  EXPECT_DOUBLE_EQ(doc["thresholds"]["initial_high"].get<double>(), 0.85);
  EXPECT_DOUBLE_EQ(doc["prediction"]["window_minutes"].get<double>(), 3.0);
  EXPECT_TRUE(doc["features"]["dynamic_thresholds"].get<bool>());
}

INSTANTIATE_TEST_SUITE_P(Dialects, HistoryStoreTest, testing::Values("sqlite", "postgres"));

TEST(FormatTimestampTest, IsUtcWithMicroseconds) {
  const auto t = system_clock::from_time_t(1767261600) + std::chrono::microseconds(1234);
  EXPECT_EQ(FormatTimestamp(t), "2026-01-01 10:00:00.001234");
}

}  // namespace
}  // namespace huddle::taskd
