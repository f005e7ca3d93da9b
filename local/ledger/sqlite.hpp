#pragma once
// A thin RAII layer over the SQLite C API: a connection, prepared statements and transactions,
// with every failure turned into an Error that names the ledger file and says what to do.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace regua::sqlite {

// An Error for a failed SQLite call on `db`, naming the ledger file, what was being done and what to do.
Error make_error_for(sqlite3* db, std::string_view what, int code);

class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Parameters are 1-based, as in SQLite.
  Stmt& bind(int index, std::int64_t v);
  Stmt& bind(int index, double v);
  Stmt& bind(int index, std::string_view v);  // copied by SQLite (SQLITE_TRANSIENT)
  Stmt& bind(int index, const std::string& v) { return bind(index, std::string_view{v}); }
  Stmt& bind(int index, const char* v) { return bind(index, std::string_view{v}); }
  // Not copied (SQLITE_STATIC): the bytes must stay valid until the statement has been stepped to
  // its end. For hot paths that bind and run at once.
  Stmt& bind_ref(int index, std::string_view v);
  Stmt& bind_ref(int index, const std::optional<std::string>& v);
  Stmt& bind_blob(int index, std::string_view v);
  Stmt& bind_null(int index);
  Stmt& bind(int index, const std::optional<std::string>& v);

  // Steps once: true when a row is ready, false when done. Resets itself on error and when done.
  Result<bool> step();
  // Steps to completion, discarding rows.
  Status run();
  void reset();

  [[nodiscard]] std::int64_t int64(int column) const;
  [[nodiscard]] double real(int column) const;
  [[nodiscard]] std::string_view text(int column) const;
  [[nodiscard]] bool is_null(int column) const;
  [[nodiscard]] bool is_integer(int column) const;  // the value in this row is an INTEGER
  [[nodiscard]] std::optional<std::string> optional_text(int column) const;
  [[nodiscard]] std::optional<std::int64_t> optional_int64(int column) const;
  [[nodiscard]] std::optional<bool> optional_flag(int column) const;     // 0 / non-zero
  [[nodiscard]] std::optional<Seconds> optional_time(int column) const;  // UTC Unix seconds

  [[nodiscard]] bool valid() const { return stmt_ != nullptr; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Settings that must precede any other use of SQLite in the process; idempotent. Turns off SQLite's
// global memory statistics, whose mutex costs a few percent of ingest for nothing we use.
void configure_process();

enum class OpenMode { read_write_create, read_write, read_only };

class Db {
 public:
  Db() = default;
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  static Result<Db> open(const std::filesystem::path& path, OpenMode mode);

  Status exec(std::string_view sql);
  Result<Stmt> prepare(std::string_view sql);
  // Runs a query expected to return one integer (count, pragma value).
  Result<std::int64_t> query_int(std::string_view sql);

  [[nodiscard]] std::int64_t last_insert_rowid() const;
  [[nodiscard]] int changes() const;
  [[nodiscard]] sqlite3* handle() const { return db_; }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  // The error for the last failed call on this connection, with `what` saying what was being done.
  [[nodiscard]] Error error(std::string_view what, int code) const;

 private:
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
};

// BEGIN IMMEDIATE on construction (so a writer never fails half-way on a lock upgrade); rolls back
// on destruction unless committed.
class Transaction {
 public:
  static Result<Transaction> begin(Db& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status commit();

 private:
  explicit Transaction(Db& db) : db_(&db) {}
  Db* db_;
};

}  // namespace regua::sqlite
