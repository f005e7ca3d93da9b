#include "local/analysis/matrix_counts.hpp"

#include "local/analysis/segment_events.hpp"
#include "local/analysis/sql_local_day.hpp"
#include "local/core/clock.hpp"

namespace regua {
namespace {

// Adds the customers of a (purchases, last_at) query to the matrix of `m.day`.
Status tally(sqlite::Stmt& stmt, const SegmentPolicy& policy, MatrixCounts& m) {
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error().within("counting the lifecycle matrix");
    if (!*row) return {};
    const auto cell = current_cell(stmt.int64(0), stmt.int64(1), m.day, policy);
    if (!cell) continue;
    ++m.cells[static_cast<std::size_t>(cell->index())];
    ++m.customers;
    if (is_active(cell->recency)) ++m.active;
  }
}

}  // namespace

double MatrixCounts::share(std::int64_t n) const {
  return customers > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(customers) : 0.0;
}

Result<MatrixCounts> matrix_now(sqlite::Db& db, const SegmentPolicy& policy, std::int64_t today) {
  MatrixCounts m;
  m.day = today;
  auto stmt = db.prepare("SELECT purchases, last_at FROM customer_stats WHERE purchases > 0");
  if (!stmt) return stmt.error();
  if (auto s = tally(*stmt, policy, m); !s) return s.error();
  auto records = db.query_int("SELECT count(*) FROM customers");
  if (!records) return records.error();
  m.without_purchases = *records - m.customers;
  return m;
}

Result<MatrixCounts> matrix_at(sqlite::Db& db, const SegmentPolicy& policy, std::int64_t day) {
  MatrixCounts m;
  m.day = day;
  auto local_day = SqlLocalDay::install(db, policy.local_day);
  if (!local_day) return local_day.error();
  // Sales before the day (in UTC, a day earlier than any zone) count without looking; those near
  // its end are placed on their store-local day.
  auto stmt = db.prepare(
      "SELECT count(*), max(sold_at) FROM sales "
      "WHERE customer_id IS NOT NULL AND cancelled_at IS NULL AND sold_at < ?2 "
      "AND (sold_at < ?1 OR local_day(sold_at) <= ?3) GROUP BY customer_id");
  if (!stmt) return stmt.error();
  stmt->bind(1, day * kSecondsPerDay).bind(2, (day + 2) * kSecondsPerDay).bind(3, day);
  if (auto s = tally(*stmt, policy, m); !s) return s.error();
  return m;
}

}  // namespace regua
