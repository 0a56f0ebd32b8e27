#include "database.hpp"

#include <sqlite3.h>

#include <utility>

namespace bessd::storage::sql {

FailureKind classify(int code) {
  switch (code & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return FailureKind::none;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return FailureKind::busy;
    case SQLITE_FULL:
      return FailureKind::full;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
      return FailureKind::read_only;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return FailureKind::corrupt;
    case SQLITE_IOERR:
      return FailureKind::io;
    default:
      return FailureKind::other;
  }
}

std::string_view to_string(FailureKind k) {
  return enum_name(kFailureKindNames, k);
}

// --- Statement -------------------------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_) sqlite3_finalize(stmt_);
    conn_ = std::exchange(other.conn_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

// Bind errors (a wrong index) are programming errors; they surface at step() as SQLITE_RANGE.
Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Statement& Statement::bind(int index, std::span<const std::uint8_t> blob) {
  sqlite3_bind_blob64(stmt_, index, blob.empty() ? "" : static_cast<const void*>(blob.data()),
                      blob.size(), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind(int index, const std::optional<double>& value) {
  if (value) return bind(index, *value);
  return bind_null(index);
}
Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return conn_->failure(sqlite3_sql(stmt_));
}

Status Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return Failure{r.error()};
    if (!*r) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
std::int64_t Statement::int64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}
double Statement::real(int col) const {
  return sqlite3_column_double(stmt_, col);
}
std::optional<double> Statement::optional_real(int col) const {
  if (is_null(col)) return std::nullopt;
  return real(col);
}
std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string();
}
std::span<const std::uint8_t> Statement::blob(int col) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
  const int n = sqlite3_column_bytes(stmt_, col);
  if (!p) return {};
  return {p, static_cast<std::size_t>(n)};
}

// --- Connection ------------------------------------------------------------------------------

Result<Connection> Connection::open(const std::string& path, Mode mode, int busy_timeout_ms) {
  int flags = SQLITE_OPEN_NOMUTEX;  // one connection per thread: no need for SQLite's mutexes
  switch (mode) {
    case Mode::read_write_create:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    case Mode::read_write:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case Mode::read_only:
      flags |= SQLITE_OPEN_READONLY;
      break;
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "sqlite open " + path + ": " +
                      (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + " (code " +
                      std::to_string(db ? sqlite3_extended_errcode(db) : rc) + ")";
    if (db) sqlite3_close_v2(db);
    return fail(ErrorCode::storage_error, std::move(msg));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return Connection(db, path);
}

Connection::Connection(Connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      last_failure_code_(other.last_failure_code_) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    last_failure_code_ = other.last_failure_code_;
  }
  return *this;
}

Connection::~Connection() {
  // close_v2 defers the close until every statement is finalised, so destruction order of
  // cached statements does not matter.
  if (db_) sqlite3_close_v2(db_);
}

Failure Connection::failure(std::string_view what) {
  last_failure_code_ = sqlite3_extended_errcode(db_);
  std::string msg = "sqlite " + path_ + ": " + std::string(what.substr(0, 80)) + ": " +
                    sqlite3_errmsg(db_) + " (code " + std::to_string(last_failure_code_) + ")";
  return fail(ErrorCode::storage_error, std::move(msg));
}

Status Connection::exec(std::string_view sql) {
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return failure(sql);
  return {};
}

Result<Statement> Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return failure(sql);
  return Statement(this, stmt);
}

Result<std::int64_t> Connection::query_int(std::string_view sql) {
  auto st = prepare(sql);
  if (!st) return Failure{st.error()};
  auto row = st->step();
  if (!row) return Failure{row.error()};
  if (!*row) return fail(ErrorCode::storage_error, "sqlite: no row from " + std::string(sql));
  return st->int64(0);
}

Result<std::string> Connection::query_text(std::string_view sql) {
  auto st = prepare(sql);
  if (!st) return Failure{st.error()};
  auto row = st->step();
  if (!row) return Failure{row.error()};
  if (!*row) return fail(ErrorCode::storage_error, "sqlite: no row from " + std::string(sql));
  return st->text(0);
}

std::int64_t Connection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}
std::int64_t Connection::changes() const {
  return sqlite3_changes64(db_);
}
bool Connection::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

// --- Transaction -----------------------------------------------------------------------------

Result<Transaction> Transaction::begin(Connection& conn) {
  if (auto s = conn.exec("BEGIN IMMEDIATE"); !s) return Failure{s.error()};
  return Transaction(conn);
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(other.conn_), done_(std::exchange(other.done_, true)) {}

Transaction::~Transaction() {
  // SQLite may already have rolled back on its own (SQLITE_FULL, IOERR); only roll back what is
  // still open. A failing ROLLBACK leaves nothing more to do here: the connection is reopened by
  // the caller's recovery path.
  if (!done_ && conn_->in_transaction()) (void)conn_->exec("ROLLBACK");
}

Status Transaction::commit() {
  auto s = conn_->exec("COMMIT");
  if (s) done_ = true;
  return s;
}

}  // namespace bessd::storage::sql
