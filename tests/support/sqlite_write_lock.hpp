// Another writer of a SQLite store (a sqlite3 shell, a `store compact`): a second connection that
// holds the write lock (BEGIN IMMEDIATE) until released, for the tests of a locked store.
#pragma once

#include <sqlite3.h>

#include <stdexcept>
#include <string>

namespace mh::testing {

class SqliteWriteLock {
 public:
  explicit SqliteWriteLock(const std::string& path) {
    sqlite3_open(path.c_str(), &db_);
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      const std::string why = sqlite3_errmsg(db_);
      sqlite3_close(db_);
      throw std::runtime_error("cannot lock " + path + ": " + why);
    }
  }
  ~SqliteWriteLock() { release(); }
  SqliteWriteLock(const SqliteWriteLock&) = delete;
  SqliteWriteLock& operator=(const SqliteWriteLock&) = delete;

  void release() {
    if (!db_) return;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace mh::testing
