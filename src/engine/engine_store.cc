#include "engine/engine_store.h"

#include <cmath>

#include "engine/engine_json.h"

namespace huddle::engine {

using storage::SqlValue;

core::Result<std::unique_ptr<EngineStore>> EngineStore::Open(const std::string& url) {
  auto db = storage::OpenDatabase(url);
  if (!db) return std::unexpected(db.error());
  return Create(std::move(*db));
}

core::Result<std::unique_ptr<EngineStore>> EngineStore::Create(
    std::unique_ptr<storage::Database> db) {
  std::unique_ptr<EngineStore> store(new EngineStore(std::move(db)));
  if (auto r = store->CreateSchema(); !r) return std::unexpected(r.error());
  return store;
}

core::Result<void> EngineStore::CreateSchema() {
  const std::string id(storage::SerialPrimaryKey(db_->dialect()));
  const std::string doc(storage::JsonColumnType(db_->dialect()));
  const std::string real = "DOUBLE PRECISION";
  const std::string sql =
      std::string("CREATE TABLE IF NOT EXISTS ") + kEvents + " (id " + id + ", at_s " + real +
      " NOT NULL, service TEXT NOT NULL, kind TEXT NOT NULL, severity TEXT NOT NULL, reason TEXT "
      "NOT NULL);\n"
      "CREATE INDEX IF NOT EXISTS huddle_engine_events_at ON " +
      kEvents + " (at_s);\n" + "CREATE TABLE IF NOT EXISTS " + kDirectives + " (id " + id +
      ", at_s " + real +
      " NOT NULL, service TEXT NOT NULL, from_replicas BIGINT NOT NULL, to_replicas BIGINT NOT "
      "NULL, act BIGINT NOT NULL, reason TEXT NOT NULL);\n"
      "CREATE INDEX IF NOT EXISTS huddle_engine_directives_at ON " +
      kDirectives + " (at_s);\n" + "CREATE TABLE IF NOT EXISTS " + kSnapshots + " (id " + id +
      ", at_s " + real + " NOT NULL, doc " + doc +
      " NOT NULL);\n"
      "CREATE INDEX IF NOT EXISTS huddle_engine_snapshots_at ON " +
      kSnapshots + " (at_s);\n" + "CREATE TABLE IF NOT EXISTS " + kRollups + " (id " + id +
      ", at_s " + real + " NOT NULL, service TEXT NOT NULL, ticks BIGINT NOT NULL, request_rate " +
      real + ", unique_demand " + real + ", error_rate " + real + ", p99_ms " + real + ", rho " +
      real + ", ready_replicas " + real +
      ", target_replicas BIGINT);\n"
      "CREATE INDEX IF NOT EXISTS huddle_engine_rollups_at ON " +
      kRollups + " (at_s)";
  return db_->ExecuteScript(sql);
}

core::Result<void> EngineStore::InTransaction(const std::function<core::Result<void>()>& body) {
  if (auto r = db_->Begin(); !r) return r;
  if (auto r = body(); !r) {
    (void)db_->Rollback();  // the first error is the one to report
    return r;
  }
  return db_->Commit();
}

core::Result<void> EngineStore::SaveEvents(std::span<const EngineEvent> events,
                                           double wall_offset_s) {
  if (events.empty()) return {};
  return InTransaction([&]() -> core::Result<void> {
    const std::string sql = std::string("INSERT INTO ") + kEvents +
                            " (at_s, service, kind, severity, reason) VALUES (?, ?, ?, ?, ?)";
    for (const EngineEvent& e : events) {
      const SqlValue row[] = {WallSeconds(e.at, wall_offset_s), e.service, e.kind, e.severity,
                              e.reason};
      if (auto r = db_->Execute(sql, row); !r) return r;
    }
    return {};
  });
}

core::Result<void> EngineStore::SaveDirectives(std::span<const Directive> directives,
                                               double wall_offset_s) {
  if (directives.empty()) return {};
  return InTransaction([&]() -> core::Result<void> {
    const std::string sql =
        std::string("INSERT INTO ") + kDirectives +
        " (at_s, service, from_replicas, to_replicas, act, reason) VALUES (?, ?, ?, ?, ?, ?)";
    for (const Directive& d : directives) {
      const SqlValue row[] = {
          WallSeconds(d.at, wall_offset_s), d.service, int64_t{d.from}, int64_t{d.to},
          int64_t{d.act ? 1 : 0},           d.reason};
      if (auto r = db_->Execute(sql, row); !r) return r;
    }
    return {};
  });
}

core::Result<void> EngineStore::SaveSnapshot(const std::string& json, double at_s) {
  const std::string sql =
      std::string("INSERT INTO ") + kSnapshots + " (at_s, doc) VALUES (?, " +
      (db_->dialect() == storage::Dialect::kPostgres ? "CAST(? AS JSONB)" : "?") + ")";
  const SqlValue row[] = {at_s, json};
  return db_->Execute(sql, row);
}

void EngineStore::Accumulate(std::span<const ServiceView> services) {
  auto finite = [](double v) { return std::isfinite(v) ? v : 0.0; };
  for (const ServiceView& v : services) {
    Rollup& r = rollups_[v.id];
    ++r.ticks;
    r.request_rate += finite(v.request_rate);
    r.unique_demand += finite(v.unique_demand);
    r.error_rate += finite(v.error_rate);
    r.p99_ms += finite(v.latency_p99_ms);
    r.rho += finite(v.rho);
    r.ready += finite(v.ready_replicas);
    r.target = v.target_replicas;
  }
}

core::Result<void> EngineStore::FlushRollups(double at_s) {
  if (rollups_.empty()) return {};
  auto r = InTransaction([&]() -> core::Result<void> {
    const std::string sql = std::string("INSERT INTO ") + kRollups +
                            " (at_s, service, ticks, request_rate, unique_demand, error_rate, "
                            "p99_ms, rho, ready_replicas, target_replicas) VALUES (?, ?, ?, ?, ?, "
                            "?, ?, ?, ?, ?)";
    for (const auto& [service, sum] : rollups_) {
      const double n = static_cast<double>(sum.ticks);
      const SqlValue row[] = {at_s,
                              service,
                              sum.ticks,
                              sum.request_rate / n,
                              sum.unique_demand / n,
                              sum.error_rate / n,
                              sum.p99_ms / n,
                              sum.rho / n,
                              sum.ready / n,
                              int64_t{sum.target}};
      if (auto e = db_->Execute(sql, row); !e) return e;
    }
    return {};
  });
  rollups_.clear();
  return r;
}

core::Result<int64_t> EngineStore::ApplyRetention(double now_s, const RetentionOptions& keep) {
  int64_t before = 0;
  int64_t after = 0;
  const std::pair<const char*, double> tables[] = {{kEvents, keep.events_s},
                                                   {kDirectives, keep.directives_s},
                                                   {kSnapshots, keep.snapshots_s},
                                                   {kRollups, keep.rollups_s}};
  for (const auto& [table, seconds] : tables) {
    auto n = CountRows(table);
    if (!n) return std::unexpected(n.error());
    before += *n;
    const SqlValue cutoff[] = {now_s - seconds};
    if (auto r = db_->Execute(std::string("DELETE FROM ") + table + " WHERE at_s < ?", cutoff);
        !r) {
      return std::unexpected(r.error());
    }
    auto m = CountRows(table);
    if (!m) return std::unexpected(m.error());
    after += *m;
  }
  return before - after;
}

core::Result<std::vector<StoredEvent>> EngineStore::RecentEvents(int64_t limit) {
  const SqlValue params[] = {limit};
  auto rows = db_->Query(std::string("SELECT at_s, service, kind, severity, reason FROM ") +
                             kEvents + " ORDER BY at_s DESC, id DESC LIMIT ?",
                         params);
  if (!rows) return std::unexpected(rows.error());
  std::vector<StoredEvent> out;
  for (const storage::SqlRow& row : *rows) {
    StoredEvent e;
    if (const double* at = std::get_if<double>(&row[0])) e.at_s = *at;
    e.service = std::get<std::string>(row[1]);
    e.kind = std::get<std::string>(row[2]);
    e.severity = std::get<std::string>(row[3]);
    e.reason = std::get<std::string>(row[4]);
    out.push_back(std::move(e));
  }
  return out;
}

core::Result<int64_t> EngineStore::CountRows(const std::string& table) {
  auto rows = db_->Query("SELECT COUNT(*) FROM " + table);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return core::Fail("COUNT returned no row");
  if (const int64_t* n = std::get_if<int64_t>(&(*rows)[0][0])) return *n;
  return core::Fail("COUNT did not return an integer");
}

}  // namespace huddle::engine
