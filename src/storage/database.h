#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"

namespace huddle::storage {

// One SQL value: NULL, integer, real or text (JSON travels as text).
using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string>;
using SqlRow = std::vector<SqlValue>;

enum class Dialect { kSqlite, kPostgres };

// A connection to a SQL database. Statements use `?` placeholders in both dialects (PostgreSQL's
// `$n` are produced internally). Not thread-safe: one connection per thread, or a lock around it.
// Errors come back as Result values carrying the database's own message.
class Database {
 public:
  virtual ~Database() = default;

  virtual Dialect dialect() const = 0;
  // Runs one statement with parameters.
  virtual core::Result<void> Execute(std::string_view sql,
                                     std::span<const SqlValue> params = {}) = 0;
  // Runs one statement and returns every row. Integer columns come back as int64_t, real columns
  // as double, everything else as text; NULL as nullptr.
  virtual core::Result<std::vector<SqlRow>> Query(std::string_view sql,
                                                  std::span<const SqlValue> params = {}) = 0;
  // Runs several statements separated by semicolons, without parameters (schema creation).
  virtual core::Result<void> ExecuteScript(std::string_view sql) = 0;

  // Transactions: Begin, then Commit or Rollback.
  core::Result<void> Begin() { return ExecuteScript("BEGIN"); }
  core::Result<void> Commit() { return ExecuteScript("COMMIT"); }
  core::Result<void> Rollback() { return ExecuteScript("ROLLBACK"); }
};

// Opens a database from a URL:
//   postgres://... or postgresql://...   PostgreSQL (libpq connection URI)
//   sqlite:PATH, sqlite://PATH or PATH    SQLite file (created when missing); ":memory:" works
core::Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url);

// The column type to use for a JSON document in each dialect (TEXT in SQLite, JSONB in PostgreSQL).
std::string_view JsonColumnType(Dialect dialect);
// An auto-incrementing integer primary key declaration in each dialect.
std::string_view SerialPrimaryKey(Dialect dialect);

}  // namespace huddle::storage
