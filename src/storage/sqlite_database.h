#pragma once

#include <memory>
#include <string>

#include "storage/database.h"

struct sqlite3;

namespace huddle::storage {

// SQLite through its C API. WAL journal and a 5 s busy timeout, so a reader and a writer in two
// processes do not fail on each other.
class SqliteDatabase final : public Database {
 public:
  static core::Result<std::unique_ptr<Database>> Open(const std::string& path);
  ~SqliteDatabase() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  core::Result<void> Execute(std::string_view sql, std::span<const SqlValue> params) override;
  core::Result<std::vector<SqlRow>> Query(std::string_view sql,
                                          std::span<const SqlValue> params) override;
  core::Result<void> ExecuteScript(std::string_view sql) override;

 private:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace huddle::storage
