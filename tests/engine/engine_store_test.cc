#include "engine/engine_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace huddle::engine {
namespace {

using core::FromSeconds;
using core::TimePoint;

// Every test runs on SQLite (a fresh file) and on PostgreSQL (the throw-away server of
// scripts/with_postgres.sh, named by HUDDLE_TEST_POSTGRES_URL; skipped when it is not set).
class EngineStoreTest : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string url;
    if (GetParam() == "sqlite") {
      path_ = std::filesystem::temp_directory_path() /
              ("huddle-engine-store-" + std::to_string(::getpid()) + ".sqlite");
      std::filesystem::remove(path_);
      url = "sqlite:" + path_.string();
    } else {
      const char* env = std::getenv("HUDDLE_TEST_POSTGRES_URL");
      if (env == nullptr) GTEST_SKIP() << "HUDDLE_TEST_POSTGRES_URL is not set";
      url = env;
      auto db = storage::OpenDatabase(url);
      ASSERT_TRUE(db.has_value()) << db.error().message;
      for (const char* t : {EngineStore::kEvents, EngineStore::kDirectives, EngineStore::kSnapshots,
                            EngineStore::kRollups}) {
        ASSERT_TRUE((*db)->ExecuteScript(std::string("DROP TABLE IF EXISTS ") + t).has_value());
      }
    }
    auto store = EngineStore::Open(url);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_ = std::move(*store);
    url_ = url;
  }
  void TearDown() override {
    store_.reset();
    if (!path_.empty()) {
      std::filesystem::remove(path_);
      std::filesystem::remove(path_.string() + "-wal");
      std::filesystem::remove(path_.string() + "-shm");
    }
  }

  std::filesystem::path path_;
  std::string url_;
  std::unique_ptr<EngineStore> store_;
};

TEST_P(EngineStoreTest, SchemaIsCreatedAndOpeningAgainKeepsRows) {
  const EngineEvent e{
      1, TimePoint{} + FromSeconds(10), "api", "collapse_risk", "critical", "api runs hot", false};
  ASSERT_TRUE(store_->SaveEvents(std::span(&e, 1), 1000.0).has_value());
  store_.reset();
  auto again = EngineStore::Open(url_);  // CREATE ... IF NOT EXISTS on an existing schema
  ASSERT_TRUE(again.has_value()) << again.error().message;
  auto n = (*again)->CountRows(EngineStore::kEvents);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 1);
}

TEST_P(EngineStoreTest, EventsAndDirectivesRoundTrip) {
  std::vector<EngineEvent> events = {
      {1, TimePoint{} + FromSeconds(5), "api", "saturation_predicted", "warning", "soon", false},
      {2, TimePoint{} + FromSeconds(7), "db", "cascade_risk", "critical", "it's 'quoted'", false}};
  ASSERT_TRUE(store_->SaveEvents(events, 1000.0).has_value());
  const Directive d{1, TimePoint{} + FromSeconds(8), "api", 4, 6, true, "scale up 4 -> 6"};
  ASSERT_TRUE(store_->SaveDirectives(std::span(&d, 1), 1000.0).has_value());
  auto recent = store_->RecentEvents(10);
  ASSERT_TRUE(recent.has_value()) << recent.error().message;
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].service, "db");  // newest first
  EXPECT_DOUBLE_EQ((*recent)[0].at_s, 1007.0);
  EXPECT_EQ((*recent)[0].reason, "it's 'quoted'");
  EXPECT_EQ((*recent)[1].kind, "saturation_predicted");
  auto rows = store_->database().Query(
      "SELECT service, from_replicas, to_replicas, act FROM huddle_engine_directives");
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(std::get<int64_t>((*rows)[0][1]), 4);
  EXPECT_EQ(std::get<int64_t>((*rows)[0][2]), 6);
  EXPECT_EQ(std::get<int64_t>((*rows)[0][3]), 1);
}

TEST_P(EngineStoreTest, RollupsAreMeansOverTheFlushPeriod) {
  ServiceView a;
  a.id = "api";
  a.request_rate = 100;
  a.rho = 0.5;
  a.target_replicas = 3;
  ServiceView b = a;
  b.request_rate = 300;
  b.rho = 0.7;
  b.target_replicas = 4;
  store_->Accumulate(std::span(&a, 1));
  store_->Accumulate(std::span(&b, 1));
  ASSERT_TRUE(store_->FlushRollups(2000.0).has_value());
  auto rows = store_->database().Query(
      "SELECT service, ticks, request_rate, rho, target_replicas FROM huddle_engine_rollups");
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(std::get<int64_t>((*rows)[0][1]), 2);
  EXPECT_DOUBLE_EQ(std::get<double>((*rows)[0][2]), 200.0);
  EXPECT_NEAR(std::get<double>((*rows)[0][3]), 0.6, 1e-12);
  EXPECT_EQ(std::get<int64_t>((*rows)[0][4]), 4);
  ASSERT_TRUE(store_->FlushRollups(2010.0).has_value());  // nothing accumulated: no row
  EXPECT_EQ(*store_->CountRows(EngineStore::kRollups), 1);
}

TEST_P(EngineStoreTest, SnapshotsAreJsonDocuments) {
  ASSERT_TRUE(store_->SaveSnapshot(R"({"tick": 3, "services": []})", 3000.0).has_value());
  auto rows = store_->database().Query("SELECT doc FROM huddle_engine_snapshots");
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(std::get<std::string>((*rows)[0][0]))["tick"], 3);
}

TEST_P(EngineStoreTest, RetentionDeletesOnlyOldRows) {
  std::vector<EngineEvent> events = {
      {1, TimePoint{} + FromSeconds(0), "a", "collapse_risk", "warning", "old", false},
      {2, TimePoint{} + FromSeconds(90), "a", "collapse_risk", "warning", "new", false}};
  ASSERT_TRUE(store_->SaveEvents(events, 1000.0).has_value());  // at 1000 and 1090
  ASSERT_TRUE(store_->SaveSnapshot("{}", 1000.0).has_value());
  RetentionOptions keep;
  keep.events_s = 50;
  keep.snapshots_s = 200;
  auto deleted = store_->ApplyRetention(1100.0, keep);  // cutoffs 1050 and 900
  ASSERT_TRUE(deleted.has_value()) << deleted.error().message;
  EXPECT_EQ(*deleted, 1);
  auto recent = store_->RecentEvents(10);
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ((*recent)[0].reason, "new");
  EXPECT_EQ(*store_->CountRows(EngineStore::kSnapshots), 1);
}

INSTANTIATE_TEST_SUITE_P(Dialects, EngineStoreTest, testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace huddle::engine
