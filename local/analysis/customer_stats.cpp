#include "local/analysis/customer_stats.hpp"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "local/core/clock.hpp"

namespace regua {
namespace {

// Adds ?2 purchases made from ?3 to ?4 for ?5 cents. The pending mark says the latest cause, and is
// cleared when the caller evaluates the cell itself.
constexpr std::string_view kAddSale = R"sql(
INSERT INTO customer_stats (customer_id, purchases, first_at, last_at, total_cents, pending)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (customer_id) DO UPDATE SET
  purchases = purchases + excluded.purchases,
  first_at = CASE WHEN first_at IS NULL OR excluded.first_at < first_at THEN excluded.first_at ELSE first_at END,
  last_at = CASE WHEN last_at IS NULL OR excluded.last_at > last_at THEN excluded.last_at ELSE last_at END,
  total_cents = total_cents + excluded.total_cents,
  pending = excluded.pending)sql";
// With a policy the new figures are read back to evaluate the cell; without one (import, a backlog)
// they are not needed, and RETURNING's buffering is saved.
constexpr std::string_view kReturning = "\nRETURNING purchases, last_at, cell";

constexpr std::string_view kStatsOwnerOfSale = "SELECT customer_id FROM sales WHERE pos_id = ?1";

constexpr std::string_view kRecompute = R"sql(
INSERT INTO customer_stats (customer_id, purchases, first_at, last_at, total_cents, pending)
SELECT ?1, count(*), min(sold_at), max(sold_at), coalesce(sum(total_cents), 0), ?2
FROM sales WHERE customer_id = ?1 AND cancelled_at IS NULL
ON CONFLICT (customer_id) DO UPDATE SET
  purchases = excluded.purchases, first_at = excluded.first_at, last_at = excluded.last_at,
  total_cents = excluded.total_cents,
  pending = excluded.pending
RETURNING purchases, last_at, cell)sql";

// Below this many deferred sales, adding them up is not worth a sort.
constexpr std::size_t kFirstCompaction = 4096;

std::optional<std::int64_t> optional_int64(const sqlite::Stmt& stmt, int column) {
  if (stmt.is_null(column)) return std::nullopt;
  return stmt.int64(column);
}

}  // namespace

Result<CustomerStats> CustomerStats::create(sqlite::Db& db, const Clock& clock) {
  auto events = SegmentEventWriter::create(db);
  if (!events) return events.error();
  CustomerStats stats(db, clock, std::move(*events));
  struct Prepared {
    sqlite::Stmt* stmt;
    std::string sql;
  };
  for (const auto& [stmt, sql] : {Prepared{&stats.add_sale_, std::string(kAddSale) + std::string(kReturning)},
                                  Prepared{&stats.add_sale_quietly_, std::string(kAddSale)},
                                  Prepared{&stats.owner_of_sale_, std::string(kStatsOwnerOfSale)},
                                  Prepared{&stats.recompute_, std::string(kRecompute)}}) {
    auto prepared = db.prepare(sql);
    if (!prepared) return prepared.error().within("preparing the customer stats");
    *stmt = std::move(*prepared);
  }
  return stats;
}

void CustomerStats::bind_pending(sqlite::Stmt& stmt, int index, SegmentCause cause) {
  if (policy_ != nullptr) {
    stmt.bind_null(index);
  } else {
    stmt.bind(index, segment_cause_name(cause));
  }
}

Status CustomerStats::on_sale(std::int64_t customer_id, std::int64_t sold_at, Cents total) {
  if (!upkeep_) return {};
  if (policy_ == nullptr) {
    deferred_.push_back({customer_id, 1, sold_at, sold_at, total});
    if (deferred_.size() >= std::max(kFirstCompaction, compacted_size_ + compacted_size_ / 2))
      compact_deferred();
    return {};
  }
  add_sale_.bind(1, customer_id).bind(2, std::int64_t{1}).bind(3, sold_at).bind(4, sold_at).bind(5, total);
  bind_pending(add_sale_, 6, SegmentCause::sale);
  auto row = add_sale_.step();
  if (!row) return row.error().within("updating the stats of customer " + std::to_string(customer_id));
  if (!*row) return {};
  return evaluate(add_sale_, customer_id, SegmentCause::sale);
}

void CustomerStats::compact_deferred() {
  std::sort(deferred_.begin(), deferred_.end(),
            [](const Added& a, const Added& b) { return a.customer_id < b.customer_id; });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < deferred_.size();) {
    Added sum = deferred_[i];
    for (++i; i < deferred_.size() && deferred_[i].customer_id == sum.customer_id; ++i) {
      sum.purchases += deferred_[i].purchases;
      sum.first_at = std::min(sum.first_at, deferred_[i].first_at);
      sum.last_at = std::max(sum.last_at, deferred_[i].last_at);
      sum.total += deferred_[i].total;
    }
    deferred_[kept++] = sum;
  }
  deferred_.resize(kept);
  compacted_size_ = kept;
}

Status CustomerStats::flush() {
  if (deferred_.empty()) return {};
  // One write per customer, in the table's order: each page is read and written once.
  compact_deferred();
  for (const Added& sum : deferred_) {
    add_sale_quietly_.bind(1, sum.customer_id)
        .bind(2, sum.purchases)
        .bind(3, sum.first_at)
        .bind(4, sum.last_at)
        .bind(5, sum.total)
        .bind(6, segment_cause_name(SegmentCause::sale));
    if (auto s = add_sale_quietly_.run(); !s)
      return s.error().within("updating the stats of customer " + std::to_string(sum.customer_id));
  }
  deferred_.clear();
  compacted_size_ = 0;
  return {};
}

Status CustomerStats::on_cancel(std::string_view sale_pos_id) {
  if (!upkeep_) return {};
  if (auto s = flush(); !s) return s;
  owner_of_sale_.bind_ref(1, sale_pos_id);
  auto row = owner_of_sale_.step();
  if (!row) return row.error();
  const auto owner = *row ? optional_int64(owner_of_sale_, 0) : std::nullopt;
  owner_of_sale_.reset();
  if (!owner) return {};  // anonymous, or unknown
  return recompute(*owner, SegmentCause::cancel);
}

Status CustomerStats::recompute(std::int64_t customer_id, SegmentCause cause) {
  if (!upkeep_) return {};
  if (auto s = flush(); !s) return s;
  recompute_.bind(1, customer_id);
  bind_pending(recompute_, 2, cause);
  auto row = recompute_.step();
  if (!row) return row.error().within("recomputing the stats of customer " + std::to_string(customer_id));
  if (!*row) return {};
  return evaluate(recompute_, customer_id, cause);
}

Status CustomerStats::evaluate(sqlite::Stmt& returned, std::int64_t customer_id, SegmentCause cause) {
  const std::int64_t purchases = returned.int64(0);
  const auto last_at = optional_int64(returned, 1);
  const auto stored = returned.optional_text(2);
  returned.reset();
  if (policy_ == nullptr) return {};  // marked pending by the statement
  const Seconds now = clock_->now();
  const std::int64_t today = policy_->local_day(now);
  const auto cell = current_cell(purchases, last_at, today, *policy_);
  const std::optional<std::string> code = cell ? std::optional<std::string>(cell_code(*cell)) : std::nullopt;
  if (code == stored) return {};
  return events_.write(CellChange{customer_id, cell, stored, today, now, purchases, last_at, cause});
}

Status recompute_customer_stats(sqlite::Db& db, std::int64_t customer_id, SegmentCause cause) {
  auto stmt = db.prepare(kRecompute);
  if (!stmt) return stmt.error();
  stmt->bind(1, customer_id).bind(2, segment_cause_name(cause));
  if (auto s = stmt->run(); !s)
    return s.error().within("recomputing the stats of customer " + std::to_string(customer_id));
  return {};
}

Status rebuild_customer_stats(sqlite::Db& db) {
  // Every row is recomputed from the sales; a row whose figures changed is marked pending so that
  // refresh_segments() records the cell it moves to.
  constexpr std::string_view kRebuild = R"sql(
WITH fresh AS (
  SELECT customer_id, count(*) AS purchases, min(sold_at) AS first_at, max(sold_at) AS last_at,
         sum(total_cents) AS total_cents
  FROM sales WHERE customer_id IS NOT NULL AND cancelled_at IS NULL GROUP BY customer_id)
INSERT INTO customer_stats (customer_id, purchases, first_at, last_at, total_cents, pending)
SELECT customer_id, purchases, first_at, last_at, total_cents, 'rebuild' FROM fresh WHERE true
ON CONFLICT (customer_id) DO UPDATE SET
  purchases = excluded.purchases, first_at = excluded.first_at, last_at = excluded.last_at,
  total_cents = excluded.total_cents,
  pending = CASE WHEN purchases = excluded.purchases AND last_at IS excluded.last_at
                 AND total_cents = excluded.total_cents THEN pending ELSE 'rebuild' END)sql";
  // Customers none of whose sales count any more.
  constexpr std::string_view kEmptied = R"sql(
UPDATE customer_stats SET purchases = 0, first_at = NULL, last_at = NULL, total_cents = 0,
  pending = coalesce(pending, 'rebuild')
WHERE purchases > 0 AND NOT EXISTS (
  SELECT 1 FROM sales s WHERE s.customer_id = customer_stats.customer_id AND s.cancelled_at IS NULL))sql";
  if (auto s = db.exec(kRebuild); !s) return s.error().within("rebuilding the customer stats");
  if (auto s = db.exec(kEmptied); !s) return s.error().within("rebuilding the customer stats");
  return {};
}

std::optional<Cents> CustomerFigures::average_ticket() const {
  if (purchases <= 0) return std::nullopt;
  // Half away from zero, in integers: money never goes through floating point.
  const Cents q = total / purchases;
  const Cents r = total % purchases;
  return 2 * std::llabs(r) >= purchases ? q + (total < 0 ? -1 : 1) : q;
}

Result<std::optional<CustomerFigures>> load_customer_figures(sqlite::Db& db, std::int64_t customer_id) {
  auto stmt = db.prepare(
      "SELECT purchases, first_at, last_at, total_cents, cell FROM customer_stats WHERE customer_id = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, customer_id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<CustomerFigures>{};
  CustomerFigures f;
  f.purchases = stmt->int64(0);
  f.first_at = optional_int64(*stmt, 1);
  f.last_at = optional_int64(*stmt, 2);
  f.total = stmt->int64(3);
  f.cell = stmt->optional_text(4);
  stmt->reset();
  return std::optional<CustomerFigures>(std::move(f));
}

Result<std::int64_t> purchases_in_last_days(sqlite::Db& db, std::int64_t customer_id, int days,
                                            std::int64_t today, const LocalDay& local_day) {
  // A UTC bound a day wider than any time zone first (the index range), then the exact local day.
  auto stmt = db.prepare(
      "SELECT sold_at FROM sales WHERE customer_id = ?1 AND sold_at >= ?2 AND cancelled_at IS NULL");
  if (!stmt) return stmt.error();
  const std::int64_t first_day = today - days;
  stmt->bind(1, customer_id).bind(2, (first_day - 1) * kSecondsPerDay);
  std::int64_t n = 0;
  for (;;) {
    auto row = stmt->step();
    if (!row)
      return row.error().within("counting the recent purchases of customer " + std::to_string(customer_id));
    if (!*row) break;
    const auto day = local_day(Seconds{std::chrono::seconds{stmt->int64(0)}});
    if (day >= first_day && day <= today) ++n;
  }
  return n;
}

}  // namespace regua
