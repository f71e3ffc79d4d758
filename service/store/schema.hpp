// The store's versioned schema: migrations embedded in the binary, applied in order on open.
#pragma once

#include <sqlite3.h>

#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace mh::service::store {

// One migration script, from service/store/migrations/NNNN_<name>.sql. Versions increase and are
// unique; numbers may be left free for a migration that lands later (engineers number theirs in
// ranges), so a store records each migration it has, not only the highest. A shipped migration
// is never edited, a change is a new migration.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> migrations();
// The version this program writes: the last migration's.
int latestSchemaVersion();

// The highest version recorded in a database's schema_version table (0 for a new database).
int schemaVersion(sqlite3* db);

// Brings a database to latestSchemaVersion(): creates schema_version, then applies each migration
// it has not recorded (a lower number that landed after a higher one included), in order, and
// records it, all in one IMMEDIATE transaction (so two processes opening the same
// new file do not both migrate). Idempotent. Throws StoreError when a script fails (nothing is
// applied) or when the database is newer than this program. `now` is stored as applied_at.
// Returns the number of migrations applied. `converted`, when given, is called with each
// migration's version right after its script, inside the same transaction: where a migration
// needs the program to move data (0002: the results of 0001 into shared content).
int migrate(sqlite3* db, std::string_view now, const std::function<void(int)>& converted = {});
// The same with the given scripts instead of the embedded ones (tests).
int migrate(sqlite3* db, std::string_view now, std::span<const Migration> scripts,
            const std::function<void(int)>& converted = {});

}  // namespace mh::service::store
