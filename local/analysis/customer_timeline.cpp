#include "local/analysis/customer_timeline.hpp"

#include <algorithm>

namespace regua {

std::string_view timeline_kind_name(TimelineKind kind) {
  switch (kind) {
    case TimelineKind::sale:
      return "sale";
    case TimelineKind::cancellation:
      return "cancellation";
    case TimelineKind::message:
      return "message";
    case TimelineKind::task:
      return "task";
    case TimelineKind::segment:
      return "segment";
  }
  return "sale";
}

Result<std::vector<TimelineEntry>> customer_timeline(sqlite::Db& db, std::int64_t customer_id,
                                                     std::int64_t limit) {
  // One statement, so that SQLite sorts and limits: columns kind, at, ref, name, state, channel,
  // text, detail, cents. Every branch reads through an index by customer.
  auto stmt = db.prepare(
      "SELECT 0, sold_at, id, pos_id, '', '', '', NULL, total_cents FROM sales WHERE customer_id = ?1 "
      "UNION ALL SELECT 1, cancelled_at, id, pos_id, '', '', '', NULL, total_cents FROM sales "
      "  WHERE customer_id = ?1 AND cancelled_at IS NOT NULL "
      "UNION ALL SELECT 2, created_at, id, rule_id, state, channel, body, error, NULL FROM messages "
      "  WHERE customer_id = ?1 "
      "UNION ALL SELECT 3, created_at, id, rule_id, state, channel, title, outcome, NULL FROM tasks "
      "  WHERE customer_id = ?1 "
      "UNION ALL SELECT 4, at, id, coalesce(cell, ''), coalesce(previous_cell, ''), '', '', NULL, NULL "
      "  FROM segment_events WHERE customer_id = ?1 "
      "ORDER BY 2 DESC, 1 DESC, 3 DESC LIMIT ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, customer_id).bind(2, limit);
  std::vector<TimelineEntry> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    TimelineEntry e;
    e.kind = static_cast<TimelineKind>(stmt->int64(0));
    e.at = from_unix(stmt->int64(1));
    e.ref = stmt->int64(2);
    e.name = stmt->text(3);
    e.state = stmt->text(4);
    e.channel = stmt->text(5);
    e.text = stmt->text(6);
    e.detail = stmt->optional_text(7);
    if (!stmt->is_null(8)) e.cents = stmt->int64(8);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace regua
