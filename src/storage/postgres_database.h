#pragma once

#include <memory>
#include <string>

#include "storage/database.h"

struct pg_conn;

namespace huddle::storage {

// PostgreSQL through libpq. Parameters are sent as text; result columns are typed by their OID
// (integers, floating point and numeric become numbers, booleans become 0/1, the rest text).
class PostgresDatabase final : public Database {
 public:
  static core::Result<std::unique_ptr<Database>> Open(const std::string& url);
  ~PostgresDatabase() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  core::Result<void> Execute(std::string_view sql, std::span<const SqlValue> params) override;
  core::Result<std::vector<SqlRow>> Query(std::string_view sql,
                                          std::span<const SqlValue> params) override;
  core::Result<void> ExecuteScript(std::string_view sql) override;

  // Rewrites `?` placeholders outside quotes and comments as $1, $2, ...
  static std::string NumberPlaceholders(std::string_view sql);

 private:
  explicit PostgresDatabase(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
};

}  // namespace huddle::storage
