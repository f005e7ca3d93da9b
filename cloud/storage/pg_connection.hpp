#pragma once
// One libpq connection for the hub's PostgreSQL backend: text-format parameters ($1, $2, ...),
// results owned by RAII handles, every error a regua::Error naming the server and the statement.
// Not thread-safe (one per hub session, like the SQLite backend's handle).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/result.hpp"

struct pg_conn;
struct pg_result;

namespace regua::hub::pg {

// A parameter: its text form, or NULL.
using Param = std::optional<std::string>;

class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* result);
  [[nodiscard]] int size() const;
  [[nodiscard]] bool is_null(int row, int column) const;
  [[nodiscard]] std::string text(int row, int column) const;
  [[nodiscard]] std::int64_t int64(int row, int column) const;
  [[nodiscard]] const pg_result* raw() const;

 private:
  struct Free {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Free> result_;
};

class Connection {
 public:
  // `conninfo`: a libpq connection string or URI (passwords come from PGPASSWORD or a passfile).
  static Result<Connection> open(const std::string& conninfo);

  // Runs one or more statements without parameters.
  Status exec(std::string_view sql);
  // Runs one statement with text parameters.
  Result<Rows> query(std::string_view sql, const std::vector<Param>& params = {});
  // A statement that returns one integer (or NULL: `fallback`).
  Result<std::int64_t> query_int(std::string_view sql, const std::vector<Param>& params = {},
                                 std::int64_t fallback = 0);

  [[nodiscard]] const std::string& where() const { return where_; }

 private:
  [[nodiscard]] Error failure(const pg_result* result, std::string_view sql) const;

  struct Close {
    void operator()(pg_conn* c) const;
  };
  std::unique_ptr<pg_conn, Close> conn_;
  std::string where_;  // "PostgreSQL at host:port/db", for messages
};

// BEGIN ... COMMIT; rolled back when it goes out of scope uncommitted.
class Transaction {
 public:
  static Result<Transaction> begin(Connection& conn);
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

// "PostgreSQL (<conninfo>)" with any password in it replaced by ***, for logs and messages.
std::string redacted_conninfo(const std::string& conninfo);

// A PostgreSQL array literal of texts ({"a","b\"c"}) for `$n::text[]` parameters.
std::string text_array(const std::vector<std::string_view>& items);
std::string int_array(const std::vector<std::int64_t>& items);

}  // namespace regua::hub::pg
