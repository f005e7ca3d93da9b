#pragma once
// The store's calendar inside SQL: while a SqlLocalDay lives, queries on its connection can call
// local_day(t), the store-local day (days since 1970-01-01) of UTC seconds t, NULL for NULL. So
// segments and KPIs group and compare by calendar day in SQL, exactly, across DST changes, without
// a time-zone library in local/ (the LocalDay comes from the agent).

#include "local/analysis/lifecycle_matrix.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

class SqlLocalDay {
 public:
  // `day` must outlive the returned object.
  static Result<SqlLocalDay> install(sqlite::Db& db, const LocalDay& day);
  SqlLocalDay(SqlLocalDay&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  SqlLocalDay& operator=(SqlLocalDay&&) = delete;
  SqlLocalDay(const SqlLocalDay&) = delete;
  SqlLocalDay& operator=(const SqlLocalDay&) = delete;
  ~SqlLocalDay();  // removes the function from the connection

 private:
  explicit SqlLocalDay(sqlite::Db& db) : db_(&db) {}
  sqlite::Db* db_;
};

}  // namespace regua
