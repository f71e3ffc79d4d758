// Owners of SQLite's C handles and a small prepared-statement wrapper (bind, step, column).
#pragma once

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mh::service::store {

// A broken environment or a bug: cannot open, cannot prepare, a failed write. Caught by callers
// at the job boundary (a worker job, the HTTP handler, main).
class StoreError : public std::runtime_error {
 public:
  StoreError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }  // the SQLite (extended) result code, 0 when none

 private:
  int code_;
};

struct DbCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// The "store" logger, registered once.
std::shared_ptr<spdlog::logger> storeLogger();

// Opens a database file (created when missing) or a `file:` URI; throws StoreError.
DbPtr openDatabase(const std::string& path);

// One prepared statement. Parameters are 1-based, columns 0-based, as in SQLite. Text is bound
// as UTF-8 TEXT and copied by SQLite. Errors throw StoreError with the database's message.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullptr_t);
  Statement& bindBlob(int index, std::string_view bytes);
  Statement& bindBool(int index, bool value) { return bind(index, value ? 1 : 0); }
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, nullptr);
  }

  // True when a row is ready, false when done.
  bool step();
  // Steps a statement that returns no row.
  void run();
  // Resets for the next execution and clears the bindings.
  void reset() noexcept;

  bool isNull(int column) const;
  std::int64_t columnInt(int column) const;
  double columnDouble(int column) const;
  std::string columnText(int column) const;
  std::optional<double> columnOptDouble(int column) const;
  std::optional<std::string> columnOptText(int column) const;

 private:
  [[noreturn]] void fail(int rc, std::string_view what) const;

  sqlite3* db_;
  StmtPtr stmt_;
};

// Resets a statement when the scope that used it ends, so that no read stays open.
class StatementUse {
 public:
  explicit StatementUse(Statement& statement) : statement_(statement) {}
  ~StatementUse() { statement_.reset(); }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  Statement* operator->() { return &statement_; }
  Statement& operator*() { return statement_; }

 private:
  Statement& statement_;
};

}  // namespace mh::service::store
