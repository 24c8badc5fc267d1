#include "storage/sqlite_database.h"

#include <sqlite3.h>

namespace huddle::storage {
namespace {

core::Error SqliteError(sqlite3* db, std::string_view what) {
  return core::Error{"sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db)};
}

// Owns a prepared statement.
class Statement {
 public:
  Statement() = default;
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt** out() { return &stmt_; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

core::Result<void> Bind(sqlite3* db, sqlite3_stmt* stmt, std::span<const SqlValue> params) {
  if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
    return core::Fail("sqlite: statement expects " +
                      std::to_string(sqlite3_bind_parameter_count(stmt)) + " parameters, got " +
                      std::to_string(params.size()));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(params[i])) {
      rc = sqlite3_bind_null(stmt, index);
    } else if (const auto* v = std::get_if<int64_t>(&params[i])) {
      rc = sqlite3_bind_int64(stmt, index, *v);
    } else if (const auto* d = std::get_if<double>(&params[i])) {
      rc = sqlite3_bind_double(stmt, index, *d);
    } else {
      const std::string& s = std::get<std::string>(params[i]);
      rc = sqlite3_bind_text(stmt, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) return std::unexpected(SqliteError(db, "bind"));
  }
  return {};
}

}  // namespace

core::Result<std::unique_ptr<Database>> SqliteDatabase::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return core::Fail("sqlite: cannot open '" + path + "': " + message);
  }
  std::unique_ptr<SqliteDatabase> out(new SqliteDatabase(db));
  sqlite3_busy_timeout(db, 5000);
  if (path != ":memory:") {
    if (auto r = out->ExecuteScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"); !r) {
      return std::unexpected(r.error());
    }
  }
  return out;
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close(db_); }

core::Result<void> SqliteDatabase::Execute(std::string_view sql, std::span<const SqlValue> params) {
  auto rows = Query(sql, params);
  if (!rows) return std::unexpected(rows.error());
  return {};
}

core::Result<std::vector<SqlRow>> SqliteDatabase::Query(std::string_view sql,
                                                        std::span<const SqlValue> params) {
  Statement stmt;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), stmt.out(), nullptr) !=
      SQLITE_OK) {
    return std::unexpected(SqliteError(db_, "prepare"));
  }
  if (auto bound = Bind(db_, stmt.get(), params); !bound) return std::unexpected(bound.error());
  std::vector<SqlRow> rows;
  while (true) {
    const int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return std::unexpected(SqliteError(db_, "step"));
    const int columns = sqlite3_column_count(stmt.get());
    SqlRow row;
    row.reserve(columns);
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(stmt.get(), c)) {
        case SQLITE_NULL:
          row.emplace_back(nullptr);
          break;
        case SQLITE_INTEGER:
          row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt.get(), c)));
          break;
        case SQLITE_FLOAT:
          row.emplace_back(sqlite3_column_double(stmt.get(), c));
          break;
        default: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), c));
          row.emplace_back(std::string(text == nullptr ? "" : text,
                                       static_cast<size_t>(sqlite3_column_bytes(stmt.get(), c))));
        }
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

core::Result<void> SqliteDatabase::ExecuteScript(std::string_view sql) {
  const std::string text(sql);
  char* error = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    return core::Fail("sqlite: " + message);
  }
  return {};
}

}  // namespace huddle::storage
