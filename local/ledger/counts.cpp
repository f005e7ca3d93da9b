#include "local/ledger/counts.hpp"

namespace regua {

Result<LedgerCounts> count_ledger(sqlite::Db& db) {
  // One read transaction, so the numbers agree with each other while the agent writes.
  auto stmt = db.prepare(R"sql(
SELECT (SELECT count(*) FROM sales),
       (SELECT count(*) FROM sales WHERE cancelled_at IS NOT NULL),
       (SELECT count(*) FROM sales WHERE customer_id IS NULL),
       (SELECT count(*) FROM cancellations c WHERE NOT EXISTS (SELECT 1 FROM sales s WHERE s.pos_id = c.sale_pos_id)),
       (SELECT count(*) FROM customers),
       (SELECT count(*) FROM quarantine),
       (SELECT count(*) FROM outbox WHERE seq > coalesce(
         (SELECT CAST(value AS INTEGER) FROM ledger_info WHERE key = 'sync.acked_seq'), 0)))sql");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  LedgerCounts c;
  c.sales = stmt->int64(0);
  c.cancelled = stmt->int64(1);
  c.anonymous_sales = stmt->int64(2);
  c.pending_cancels = stmt->int64(3);
  c.customers = stmt->int64(4);
  c.quarantined = stmt->int64(5);
  c.outbox_depth = stmt->int64(6);
  stmt->reset();
  return c;
}

Result<std::vector<FileCheckpoint>> list_checkpoints(sqlite::Db& db) {
  auto stmt = db.prepare("SELECT source FROM checkpoints ORDER BY source");
  if (!stmt) return stmt.error();
  std::vector<std::string> names;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    names.emplace_back(stmt->text(0));
  }
  std::vector<FileCheckpoint> out;
  for (const auto& name : names) {
    auto cp = load_checkpoint(db, name);
    if (!cp) return cp.error();
    if (*cp) out.push_back(**cp);
  }
  return out;
}

}  // namespace regua
