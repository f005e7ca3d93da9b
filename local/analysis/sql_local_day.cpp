#include "local/analysis/sql_local_day.hpp"

#include <sqlite3.h>

namespace regua {
namespace {

void local_day_sql(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(context);
    return;
  }
  const auto& day = *static_cast<const LocalDay*>(sqlite3_user_data(context));
  const Seconds t{std::chrono::seconds{sqlite3_value_int64(argv[0])}};
  sqlite3_result_int64(context, day(t));
}

}  // namespace

Result<SqlLocalDay> SqlLocalDay::install(sqlite::Db& db, const LocalDay& day) {
  // The LocalDay is the caller's: SQLite keeps a pointer, no copy, and no destructor to call.
  const int rc =
      sqlite3_create_function_v2(db.handle(), "local_day", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                 const_cast<LocalDay*>(&day), local_day_sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return db.error("adding the SQL function local_day", rc);
  return SqlLocalDay(db);
}

SqlLocalDay::~SqlLocalDay() {
  if (db_ == nullptr) return;
  sqlite3_create_function_v2(db_->handle(), "local_day", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                             nullptr, nullptr, nullptr, nullptr);
}

}  // namespace regua
