// Applies the embedded migrations in one transaction and refuses a database newer than the program.
#include "service/store/schema.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <string>

#include "service/store/sqlite_handle.hpp"

namespace mh::service::store {

namespace {

constexpr Migration kMigrations[] = {
#include "service/store/migrations.inc"
};

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

// Runs a multi-statement script (migrations are DDL, with no user data in them).
void execScript(sqlite3* db, std::string_view sql, std::string_view what) {
  char* error = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw StoreError("migration " + std::string(what) + " failed: " + message, rc);
  }
}

int versionIfTableExists(sqlite3* db) {
  Statement exists(db,
                   "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!exists.step()) return 0;
  Statement max(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  max.step();
  return static_cast<int>(max.columnInt(0));
}

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

int latestSchemaVersion() {
  return kMigrations[std::size(kMigrations) - 1].version;
}

int schemaVersion(sqlite3* db) {
  return versionIfTableExists(db);
}

int migrate(sqlite3* db, std::string_view now, const std::function<void(int)>& converted) {
  return migrate(db, now, kMigrations, converted);
}

int migrate(sqlite3* db, std::string_view now, std::span<const Migration> scripts,
            const std::function<void(int)>& converted) {
  for (std::size_t i = 1; i < scripts.size(); ++i) {
    if (scripts[i].version <= scripts[i - 1].version)
      throw StoreError("embedded migrations are not numbered in increasing order", 0);
  }
  const int latest = scripts.empty() ? 0 : scripts.back().version;
  // Every migration recorded and no other: nothing to write, so a read-only store, or one
  // another writer holds locked, opens all the same.
  {
    Statement exists(db,
                     "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
    if (exists.step()) {
      std::set<int> recorded, embedded;
      Statement s(db, "SELECT version FROM schema_version");
      while (s.step()) recorded.insert(static_cast<int>(s.columnInt(0)));
      for (const Migration& m : scripts) embedded.insert(m.version);
      if (recorded == embedded) return 0;
    }
  }
  Statement(db, "BEGIN IMMEDIATE").run();
  try {
    Statement(db, kCreateVersionTable).run();
    std::set<int> recorded;
    {
      Statement s(db, "SELECT version FROM schema_version");
      while (s.step()) recorded.insert(static_cast<int>(s.columnInt(0)));
    }
    for (int version : recorded) {
      const bool known = std::any_of(scripts.begin(), scripts.end(),
                                     [&](const Migration& m) { return m.version == version; });
      if (!known)
        throw StoreError("database schema version " + std::to_string(version) +
                             " is unknown to this program (newer; it knows up to " +
                             std::to_string(latest) + ")",
                         0);
    }
    const int current = recorded.empty() ? 0 : *recorded.rbegin();
    int applied = 0;
    Statement record(db,
                     "INSERT INTO schema_version (version, name, applied_at) VALUES (?1, ?2, ?3)");
    for (const Migration& m : scripts) {
      if (recorded.count(m.version)) continue;
      execScript(db, m.sql, m.name);
      if (converted) converted(m.version);
      record.bind(1, m.version).bind(2, m.name).bind(3, now).run();
      record.reset();
      ++applied;
    }
    Statement(db, "COMMIT").run();
    if (applied > 0)
      storeLogger()->info("schema migrated from={} to={} applied={}", current, latest, applied);
    return applied;
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace mh::service::store
