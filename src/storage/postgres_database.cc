#include "storage/postgres_database.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>

namespace huddle::storage {
namespace {

// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// Owns a PGresult.
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string TrimmedError(const char* message) {
  std::string out = message == nullptr ? "unknown error" : message;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string ToText(const SqlValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    return ec == std::errc() ? std::string(buf, end) : "NaN";
  }
  return std::get<std::string>(v);
}

SqlValue FromText(const char* text, int length, Oid type) {
  switch (type) {
    case kBoolOid:
      return static_cast<int64_t>(text[0] == 't' ? 1 : 0);
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid: {
      int64_t v = 0;
      std::from_chars(text, text + length, v);
      return v;
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      return std::strtod(text, nullptr);
    default:
      return std::string(text, static_cast<size_t>(length));
  }
}

}  // namespace

std::string PostgresDatabase::NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int next = 1;
  char quote = 0;  // ' or " while inside a quoted literal or identifier
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      out += c;
      if (c == quote) quote = 0;  // a doubled quote re-enters on the next character
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      const size_t stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(next++);
    } else {
      out += c;
    }
  }
  return out;
}

core::Result<std::unique_ptr<Database>> PostgresDatabase::Open(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr) return core::Fail("postgres: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = TrimmedError(PQerrorMessage(conn));
    PQfinish(conn);
    return core::Fail("postgres: cannot connect: " + message);
  }
  std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(conn));
  // Schema creation repeats "IF NOT EXISTS"; the notices about it are noise.
  if (auto r = db->ExecuteScript("SET client_min_messages = warning"); !r) {
    return std::unexpected(r.error());
  }
  return db;
}

PostgresDatabase::~PostgresDatabase() { PQfinish(conn_); }

core::Result<void> PostgresDatabase::Execute(std::string_view sql,
                                             std::span<const SqlValue> params) {
  auto rows = Query(sql, params);
  if (!rows) return std::unexpected(rows.error());
  return {};
}

core::Result<std::vector<SqlRow>> PostgresDatabase::Query(std::string_view sql,
                                                          std::span<const SqlValue> params) {
  const std::string numbered = NumberPlaceholders(sql);
  std::vector<std::string> texts;
  std::vector<const char*> values;
  texts.reserve(params.size());
  for (const SqlValue& p : params) {
    if (std::holds_alternative<std::nullptr_t>(p)) {
      texts.emplace_back();
    } else {
      texts.push_back(ToText(p));
    }
  }
  for (size_t i = 0; i < params.size(); ++i) {
    values.push_back(std::holds_alternative<std::nullptr_t>(params[i]) ? nullptr
                                                                       : texts[i].c_str());
  }
  ResultPtr result(PQexecParams(conn_, numbered.c_str(), static_cast<int>(values.size()), nullptr,
                                values.data(), nullptr, nullptr, 0));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return core::Fail("postgres: " + TrimmedError(PQresultErrorMessage(result.get())));
  }
  std::vector<SqlRow> rows;
  const int n = PQntuples(result.get());
  const int columns = PQnfields(result.get());
  rows.reserve(n);
  for (int r = 0; r < n; ++r) {
    SqlRow row;
    row.reserve(columns);
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result.get(), r, c)) {
        row.emplace_back(nullptr);
      } else {
        row.push_back(FromText(PQgetvalue(result.get(), r, c), PQgetlength(result.get(), r, c),
                               PQftype(result.get(), c)));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

core::Result<void> PostgresDatabase::ExecuteScript(std::string_view sql) {
  const std::string text(sql);
  ResultPtr result(PQexec(conn_, text.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    return core::Fail("postgres: " + TrimmedError(PQresultErrorMessage(result.get())));
  }
  return {};
}

}  // namespace huddle::storage
