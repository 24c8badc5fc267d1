#include "storage/database.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "storage/postgres_database.h"

namespace huddle::storage {
namespace {

// Each test runs on SQLite (a fresh file) and on PostgreSQL (the throw-away server that
// scripts/with_postgres.sh starts for `make test`, named by HUDDLE_TEST_POSTGRES_URL).
class DatabaseTest : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      path_ = std::filesystem::temp_directory_path() /
              ("huddle-db-test-" + std::to_string(::getpid()) + ".sqlite");
      std::filesystem::remove(path_);
      auto db = OpenDatabase("sqlite:" + path_.string());
      ASSERT_TRUE(db.has_value()) << db.error().message;
      db_ = std::move(*db);
    } else {
      const char* url = std::getenv("HUDDLE_TEST_POSTGRES_URL");
      if (url == nullptr) {
        GTEST_SKIP() << "HUDDLE_TEST_POSTGRES_URL is not set (make test sets it through "
                        "scripts/with_postgres.sh)";
      }
      auto db = OpenDatabase(url);
      ASSERT_TRUE(db.has_value()) << db.error().message;
      db_ = std::move(*db);
      ASSERT_TRUE(db_->ExecuteScript("DROP TABLE IF EXISTS huddle_test_items").has_value());
    }
  }
  void TearDown() override {
    db_.reset();
    if (!path_.empty()) {
      std::filesystem::remove(path_);
      std::filesystem::remove(path_.string() + "-wal");
      std::filesystem::remove(path_.string() + "-shm");
    }
  }
  void CreateTable() {
    const std::string ddl = "CREATE TABLE IF NOT EXISTS huddle_test_items (id " +
                            std::string(SerialPrimaryKey(db_->dialect())) +
                            ", name TEXT NOT NULL, score DOUBLE PRECISION, n BIGINT, doc " +
                            std::string(JsonColumnType(db_->dialect())) + ")";
    auto r = db_->ExecuteScript(ddl);
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }

  std::filesystem::path path_;
  std::unique_ptr<Database> db_;
};

TEST_P(DatabaseTest, RoundTripsEveryValueType) {
  CreateTable();
  const SqlValue row[] = {std::string("alpha"), 0.25, int64_t{1} << 40,
                          std::string(R"({"k": [1, 2]})")};
  auto inserted =
      db_->Execute("INSERT INTO huddle_test_items (name, score, n, doc) VALUES (?, ?, ?, ?)", row);
  ASSERT_TRUE(inserted.has_value()) << inserted.error().message;
  const SqlValue with_null[] = {std::string("beta"), nullptr, int64_t{-3}, nullptr};
  ASSERT_TRUE(
      db_->Execute("INSERT INTO huddle_test_items (name, score, n, doc) VALUES (?, ?, ?, ?)",
                   with_null)
          .has_value());

  auto rows = db_->Query("SELECT name, score, n FROM huddle_test_items ORDER BY name");
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(std::get<std::string>((*rows)[0][0]), "alpha");
  EXPECT_DOUBLE_EQ(std::get<double>((*rows)[0][1]), 0.25);
  EXPECT_EQ(std::get<int64_t>((*rows)[0][2]), int64_t{1} << 40);
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>((*rows)[1][1]));
  EXPECT_EQ(std::get<int64_t>((*rows)[1][2]), -3);

  const SqlValue key[] = {std::string("alpha")};
  auto one = db_->Query("SELECT count(*) FROM huddle_test_items WHERE name = ?", key);
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(std::get<int64_t>((*one)[0][0]), 1);
}

TEST_P(DatabaseTest, RollbackDiscardsAndCommitKeeps) {
  CreateTable();
  const SqlValue a[] = {std::string("kept")};
  const SqlValue b[] = {std::string("discarded")};
  ASSERT_TRUE(db_->Begin().has_value());
  ASSERT_TRUE(db_->Execute("INSERT INTO huddle_test_items (name) VALUES (?)", a).has_value());
  ASSERT_TRUE(db_->Commit().has_value());
  ASSERT_TRUE(db_->Begin().has_value());
  ASSERT_TRUE(db_->Execute("INSERT INTO huddle_test_items (name) VALUES (?)", b).has_value());
  ASSERT_TRUE(db_->Rollback().has_value());
  auto rows = db_->Query("SELECT name FROM huddle_test_items");
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(std::get<std::string>((*rows)[0][0]), "kept");
}

TEST_P(DatabaseTest, ErrorsCarryTheDatabaseMessage) {
  auto bad = db_->Query("SELECT * FROM no_such_table_here");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("no_such_table_here"), std::string::npos)
      << bad.error().message;
  CreateTable();
  const SqlValue too_many[] = {std::string("x"), int64_t{1}};
  EXPECT_FALSE(
      db_->Execute("INSERT INTO huddle_test_items (name) VALUES (?)", too_many).has_value());
}

TEST_P(DatabaseTest, TextWithQuotesAndQuestionMarksSurvives) {
  CreateTable();
  const SqlValue v[] = {std::string("it's a 'test'? -- yes")};
  ASSERT_TRUE(
      db_->Execute("INSERT INTO huddle_test_items (name, doc) VALUES (?, '{\"q\": \"?\"}')", v)
          .has_value());
  auto rows = db_->Query("SELECT name FROM huddle_test_items WHERE name LIKE '%?%'");
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(std::get<std::string>((*rows)[0][0]), "it's a 'test'? -- yes");
}

INSTANTIATE_TEST_SUITE_P(Dialects, DatabaseTest, testing::Values("sqlite", "postgres"));

TEST(PostgresPlaceholdersTest, NumbersOnlyBarePlaceholders) {
  EXPECT_EQ(PostgresDatabase::NumberPlaceholders("SELECT ? , '?', \"a?\", ? -- ?\n, ?"),
            "SELECT $1 , '?', \"a?\", $2 -- ?\n, $3");
  EXPECT_EQ(PostgresDatabase::NumberPlaceholders("'it''s ?' ?"), "'it''s ?' $1");
}

TEST(OpenDatabaseTest, BadUrlsFailClearly) {
  auto none = OpenDatabase("sqlite:");
  ASSERT_FALSE(none.has_value());
  auto pg = OpenDatabase("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(pg.has_value());
  EXPECT_NE(pg.error().message.find("cannot connect"), std::string::npos);
  auto dir = OpenDatabase("/proc/definitely/not/here.sqlite");
  EXPECT_FALSE(dir.has_value());
}

}  // namespace
}  // namespace huddle::storage
