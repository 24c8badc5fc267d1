#include "storage/database.h"

#include "storage/postgres_database.h"
#include "storage/sqlite_database.h"

namespace huddle::storage {

core::Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url) {
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return PostgresDatabase::Open(url);
  }
  std::string path = url;
  if (path.starts_with("sqlite://")) {
    path = path.substr(9);
  } else if (path.starts_with("sqlite:")) {
    path = path.substr(7);
  }
  if (path.empty()) return core::Fail("database URL names no file");
  return SqliteDatabase::Open(path);
}

std::string_view JsonColumnType(Dialect dialect) {
  return dialect == Dialect::kPostgres ? "JSONB" : "TEXT";
}

std::string_view SerialPrimaryKey(Dialect dialect) {
  return dialect == Dialect::kPostgres ? "BIGSERIAL PRIMARY KEY"
                                       : "INTEGER PRIMARY KEY AUTOINCREMENT";
}

}  // namespace huddle::storage
