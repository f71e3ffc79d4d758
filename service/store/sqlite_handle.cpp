// The prepared-statement wrapper: every SQLite error becomes a StoreError with its message.
#include "service/store/sqlite_handle.hpp"

#include "checks/core/logging.hpp"

namespace mh::service::store {

std::shared_ptr<spdlog::logger> storeLogger() {
  static const auto logger = subsystemLogger("store");
  return logger;
}

DbPtr openDatabase(const std::string& path) {
  sqlite3* raw = nullptr;
  // A `file:` URI may open the store read-only ("file:/var/lib/x.db?mode=ro").
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc);
    throw StoreError("cannot open database " + path + ": " + message, rc);
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return db;
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  stmt_.reset(raw);
  if (rc != SQLITE_OK) fail(rc, "prepare");
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_.get(), index, value); rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (int rc = sqlite3_bind_double(stmt_.get(), index, value); rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  // A non-null pointer even for "" so that an empty string binds as '' and not as NULL.
  const int rc = sqlite3_bind_text64(stmt_.get(), index, value.empty() ? "" : value.data(),
                                     value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

Statement& Statement::bindBlob(int index, std::string_view bytes) {
  const int rc = sqlite3_bind_blob64(stmt_.get(), index, bytes.empty() ? "" : bytes.data(),
                                     bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
  if (int rc = sqlite3_bind_null(stmt_.get(), index); rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(rc, "step");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

bool Statement::isNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

std::int64_t Statement::columnInt(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

double Statement::columnDouble(int column) const {
  return sqlite3_column_double(stmt_.get(), column);
}

std::string Statement::columnText(int column) const {
  const auto* text = sqlite3_column_text(stmt_.get(), column);
  const int size = sqlite3_column_bytes(stmt_.get(), column);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size))
              : std::string();
}

std::optional<double> Statement::columnOptDouble(int column) const {
  if (isNull(column)) return std::nullopt;
  return columnDouble(column);
}

std::optional<std::string> Statement::columnOptText(int column) const {
  if (isNull(column)) return std::nullopt;
  return columnText(column);
}

void Statement::fail(int rc, std::string_view what) const {
  const char* sql = stmt_ ? sqlite3_sql(stmt_.get()) : nullptr;
  std::string message = std::string(what) + " failed: " + sqlite3_errmsg(db_);
  if (sql) message += " [" + std::string(sql).substr(0, 80) + "]";
  throw StoreError(message, rc);
}

}  // namespace mh::service::store
