#pragma once
// A small RAII layer over the sqlite3 C API (private to the storage component; sqlite3 handles
// never appear in public headers). Connection, Statement and Transaction; every fallible call
// returns a Result whose Error carries the SQLite message, and the connection remembers the
// extended result code of its last failure for classification (full, read-only, corrupt, ...).
// Not thread-safe: one connection per thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/common/enum_names.hpp>
#include <bessd/common/result.hpp>

struct sqlite3;
struct sqlite3_stmt;

namespace bessd::storage::sql {

/// What kind of failure a SQLite result code means for the store's recovery policy.
enum class FailureKind : std::uint8_t {
  none,
  busy,       // SQLITE_BUSY / LOCKED: retry soon
  full,       // SQLITE_FULL: disk (or page limit) full
  read_only,  // SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN, SQLITE_AUTH
  corrupt,    // SQLITE_CORRUPT, SQLITE_NOTADB
  io,         // SQLITE_IOERR*: the OS refused (EROFS, EIO, ...)
  other,
};
inline constexpr auto kFailureKindNames =
    std::to_array<EnumName<FailureKind>>({{FailureKind::none, "none"},
                                          {FailureKind::busy, "busy"},
                                          {FailureKind::full, "full"},
                                          {FailureKind::read_only, "read_only"},
                                          {FailureKind::corrupt, "corrupt"},
                                          {FailureKind::io, "io"},
                                          {FailureKind::other, "other"}});
static_assert(enum_names_complete(kFailureKindNames));
FailureKind classify(int sqlite_code);
std::string_view to_string(FailureKind k);

class Connection;

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::span<const std::uint8_t> blob);
  Statement& bind(int index, const std::optional<double>& value);
  Statement& bind_null(int index);

  /// true: a row is ready; false: done. Errors carry the SQLite message.
  Result<bool> step();
  /// Steps to completion, expecting no rows.
  Status run();
  /// Resets for re-execution and clears bindings.
  void reset();

  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  double real(int col) const;
  std::optional<double> optional_real(int col) const;
  std::string text(int col) const;
  std::span<const std::uint8_t> blob(int col) const;

 private:
  friend class Connection;
  Statement(Connection* conn, sqlite3_stmt* stmt) : conn_(conn), stmt_(stmt) {}
  Connection* conn_{nullptr};
  sqlite3_stmt* stmt_{nullptr};
};

class Connection {
 public:
  enum class Mode : std::uint8_t { read_write_create, read_write, read_only };

  /// Opens (and for read_write_create creates) `path`; ":memory:" works. Sets the busy timeout.
  static Result<Connection> open(const std::string& path, Mode mode, int busy_timeout_ms);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  /// Runs one or more statements without results.
  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  /// Runs a query returning one integer (e.g. "PRAGMA page_count").
  Result<std::int64_t> query_int(std::string_view sql);
  Result<std::string> query_text(std::string_view sql);

  std::int64_t last_insert_rowid() const;
  std::int64_t changes() const;
  bool in_transaction() const;
  /// Extended result code of the last failure on this connection (0 if none recorded).
  int last_failure_code() const { return last_failure_code_; }
  const std::string& path() const { return path_; }

  /// Builds an Error for the current sqlite3 error state and records its code.
  Failure failure(std::string_view what);

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_{nullptr};
  std::string path_;
  int last_failure_code_{0};
};

/// BEGIN on construction (IMMEDIATE: takes the write lock up front, so that a busy database
/// fails here rather than halfway), ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Connection& conn);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Connection& conn) : conn_(&conn) {}
  Connection* conn_;
  bool done_{false};
};

}  // namespace bessd::storage::sql
