#include "local/analysis/segment_events.hpp"

#include <array>
#include <charconv>
#include <set>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/enum_names.hpp"
#include "local/ledger/ledger_info.hpp"
#include "local/predict/predictions.hpp"

namespace regua {
namespace {

// Rows read per query of a full pass: memory stays small on a million customers.
constexpr int kBatch = 5000;

constexpr std::array<std::string_view, 7> kCauseNames{"sale",       "cancel",    "merge",  "time",
                                                      "thresholds", "migration", "rebuild"};

constexpr std::string_view kSetCell =
    "UPDATE customer_stats SET cell = ?2, pending = NULL WHERE customer_id = ?1";
constexpr std::string_view kInsertEvent =
    "INSERT INTO segment_events (customer_id, cell, previous_cell, day, at, purchases, last_at, cause) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

constexpr std::string_view kSegmentEventColumns =
    "SELECT customer_id, purchases, last_at, cell, pending FROM customer_stats ";

// Where the previous refresh left off, in ledger_info.
constexpr std::string_view kDayKey = "segments_refreshed_day";
constexpr std::string_view kThresholdsKey = "segments_thresholds";

struct Row {
  std::int64_t id = 0;
  std::int64_t purchases = 0;
  std::optional<std::int64_t> last_at;
  std::optional<std::string> cell;
  std::optional<std::string> pending;
};

Result<std::vector<Row>> read_rows(sqlite::Stmt& stmt) {
  std::vector<Row> rows;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) break;
    Row r;
    r.id = stmt.int64(0);
    r.purchases = stmt.int64(1);
    if (!stmt.is_null(2)) r.last_at = stmt.int64(2);
    r.cell = stmt.optional_text(3);
    r.pending = stmt.optional_text(4);
    rows.push_back(std::move(r));
  }
  return rows;
}

// Evaluates rows and records what changed. One object per refresh.
class Refresher {
 public:
  Refresher(sqlite::Db& db, const SegmentPolicy& policy, SegmentEventWriter events, Seconds now,
            std::int64_t today)
      : db_(db), policy_(policy), events_(std::move(events)), now_(now), today_(today) {}

  Status prepare() {
    auto clear = db_.prepare("UPDATE customer_stats SET pending = NULL WHERE customer_id = ?1");
    if (!clear) return clear.error();
    clear_ = std::move(*clear);
    return {};
  }

  // `cause` applies unless the row says why it is pending.
  Status process(const Row& r, SegmentCause cause) {
    ++report.evaluated;
    const auto cell = current_cell(r.purchases, r.last_at, today_, policy_);
    const std::optional<std::string> code =
        cell ? std::optional<std::string>(cell_code(*cell)) : std::nullopt;
    if (code == r.cell) {
      if (!r.pending) return {};
      clear_.bind(1, r.id);
      return clear_.run();
    }
    if (r.pending) cause = segment_cause_from_name(*r.pending).value_or(SegmentCause::rebuild);
    if (!r.cell && !r.pending && cause == SegmentCause::time) cause = SegmentCause::rebuild;
    std::int64_t day = today_;
    // Aging is exact to the day: the customer entered its column the day after the limit it passed.
    if (cause == SegmentCause::time && r.cell && cell && r.last_at && cell->recency != Recency::active) {
      const auto& t = policy_.thresholds;
      const int limit = cell->recency == Recency::inactive ? t.slipping_max_days : t.active_max_days;
      day = std::min(today_, policy_.local_day(Seconds{std::chrono::seconds{*r.last_at}}) + limit + 1);
    }
    ++report.recorded;
    return events_.write(CellChange{r.id, cell, r.cell, day, now_, r.purchases, r.last_at, cause});
  }

  RefreshReport report;

 private:
  sqlite::Db& db_;
  const SegmentPolicy& policy_;
  SegmentEventWriter events_;
  sqlite::Stmt clear_;
  Seconds now_;
  std::int64_t today_;
};

Status full_pass(sqlite::Db& db, Refresher& refresher, SegmentCause cause) {
  auto stmt =
      db.prepare(std::string(kSegmentEventColumns) +
                 "WHERE customer_id > ?1 AND (purchases > 0 OR cell IS NOT NULL OR pending IS NOT NULL) "
                 "ORDER BY customer_id LIMIT " +
                 std::to_string(kBatch));
  if (!stmt) return stmt.error();
  std::int64_t after = -1;
  for (;;) {
    stmt->bind(1, after);
    auto rows = read_rows(*stmt);
    if (!rows) return rows.error();
    if (rows->empty()) return {};
    for (const Row& r : *rows) {
      if (auto s = refresher.process(r, cause); !s) return s;
    }
    after = rows->back().id;
  }
}

Status pending_pass(sqlite::Db& db, Refresher& refresher) {
  // Each processed row stops being pending, so the same query returns the next ones.
  auto stmt = db.prepare(std::string(kSegmentEventColumns) +
                         "WHERE pending IS NOT NULL ORDER BY customer_id LIMIT " + std::to_string(kBatch));
  if (!stmt) return stmt.error();
  for (;;) {
    auto rows = read_rows(*stmt);
    if (!rows) return rows.error();
    if (rows->empty()) return {};
    for (const Row& r : *rows) {
      if (auto s = refresher.process(r, SegmentCause::time); !s) return s;
    }
  }
}

// Customers whose days since their last purchase went past `limit` between the end of day
// `previous` and today: last local day L with previous - L <= limit < today - L. A UTC range a day
// wider than any time zone on each side, then exact evaluation.
Status crossing_pass(sqlite::Db& db, Refresher& refresher, std::int64_t previous, std::int64_t today,
                     int limit, std::set<std::int64_t>& seen) {
  auto stmt = db.prepare(std::string(kSegmentEventColumns) + "WHERE last_at >= ?1 AND last_at < ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, (previous - limit - 1) * kSecondsPerDay).bind(2, (today - limit + 1) * kSecondsPerDay);
  auto rows = read_rows(*stmt);
  if (!rows) return rows.error();
  for (const Row& r : *rows) {
    if (!seen.insert(r.id).second) continue;
    if (auto s = refresher.process(r, SegmentCause::time); !s) return s;
  }
  return {};
}

}  // namespace

std::string_view segment_cause_name(SegmentCause cause) {
  return kCauseNames[static_cast<std::size_t>(cause)];
}

std::optional<SegmentCause> segment_cause_from_name(std::string_view name) {
  return enum_from_name<SegmentCause>(kCauseNames, name);
}

Result<SegmentEventWriter> SegmentEventWriter::create(sqlite::Db& db) {
  SegmentEventWriter w;
  auto set_cell = db.prepare(kSetCell);
  if (!set_cell) return set_cell.error().within("preparing the segment events");
  auto insert = db.prepare(kInsertEvent);
  if (!insert) return insert.error().within("preparing the segment events");
  w.set_cell_ = std::move(*set_cell);
  w.insert_event_ = std::move(*insert);
  return w;
}

Status SegmentEventWriter::write(const CellChange& c) {
  const std::optional<std::string> code =
      c.cell ? std::optional<std::string>(cell_code(*c.cell)) : std::nullopt;
  set_cell_.bind(1, c.customer_id).bind(2, code);
  if (auto s = set_cell_.run(); !s)
    return s.error().within("recording the cell of customer " + std::to_string(c.customer_id));
  insert_event_.bind(1, c.customer_id)
      .bind(2, code)
      .bind(3, c.previous)
      .bind(4, std::string_view(format_local_day(c.day)))
      .bind(5, static_cast<std::int64_t>(c.at.time_since_epoch().count()))
      .bind(6, c.purchases)
      .bind(8, segment_cause_name(c.cause));
  if (c.last_at) {
    insert_event_.bind(7, *c.last_at);
  } else {
    insert_event_.bind_null(7);
  }
  if (auto s = insert_event_.run(); !s) {
    return s.error().within("recording a segment event of customer " + std::to_string(c.customer_id));
  }
  return {};
}

std::optional<Cell> current_cell(std::int64_t purchases, std::optional<std::int64_t> last_at,
                                 std::int64_t today, const SegmentPolicy& policy) {
  if (purchases <= 0 || !last_at) return std::nullopt;
  const auto last_day = policy.local_day(Seconds{std::chrono::seconds{*last_at}});
  return cell_of(purchases, today - last_day, policy.thresholds);
}

Result<RefreshReport> refresh_segments(sqlite::Db& db, const SegmentPolicy& policy, const Clock& clock) {
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error().within("refreshing the segments");
  const Seconds now = clock.now();
  const std::int64_t today = policy.local_day(now);
  auto day_text = read_ledger_info(db, kDayKey);
  if (!day_text) return day_text.error();
  auto limits = read_ledger_info(db, kThresholdsKey);
  if (!limits) return limits.error();
  auto events = SegmentEventWriter::create(db);
  if (!events) return events.error();
  Refresher refresher(db, policy, std::move(*events), now, today);
  if (auto s = refresher.prepare(); !s) return s.error();
  refresher.report.today = today;

  std::optional<std::int64_t> previous;  // unreadable or absent: a full pass
  if (*day_text) {
    std::int64_t day = 0;
    const auto& text = **day_text;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), day);
    if (ec == std::errc{} && end == text.data() + text.size()) previous = day;
  }
  const std::string key = thresholds_key(policy.thresholds);
  const bool new_limits = *limits && **limits != key;
  if (!previous || new_limits || today < *previous) {
    refresher.report.full = true;
    auto s = full_pass(db, refresher, new_limits ? SegmentCause::thresholds : SegmentCause::time);
    if (!s) return s.error().within("refreshing the segments");
  } else {
    if (auto s = pending_pass(db, refresher); !s) return s.error().within("refreshing the segments");
    if (today > *previous) {
      std::set<std::int64_t> seen;
      for (const int limit : {policy.thresholds.active_max_days, policy.thresholds.slipping_max_days}) {
        if (auto s = crossing_pass(db, refresher, *previous, today, limit, seen); !s) {
          return s.error().within("refreshing the segments");
        }
      }
    }
  }
  if (auto s = write_ledger_info(db, kDayKey, std::to_string(today)); !s) return s.error();
  if (auto s = write_ledger_info(db, kThresholdsKey, key); !s) return s.error();
  if (auto s = txn->commit(); !s) return s.error().within("refreshing the segments");
  return refresher.report;
}

}  // namespace regua
