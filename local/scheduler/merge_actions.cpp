#include "local/scheduler/merge_actions.hpp"

#include <string>
#include <vector>

#include "local/scheduler/decisions.hpp"
#include "local/tasks/tasks.hpp"

namespace regua {

Status prepare_merge_of_actions(sqlite::Db& db, std::int64_t survivor, std::int64_t merged, Seconds now) {
  auto stmt = db.prepare(
      "SELECT m.id, m.rule_id, m.state, m.action, m.channel FROM jobs m WHERE m.customer_id = ?2 AND EXISTS "
      "(SELECT 1 FROM jobs s WHERE s.customer_id = ?1 AND s.rule_id = m.rule_id AND s.occurrence = "
      "m.occurrence)");
  if (!stmt) return stmt.error();
  stmt->bind(1, survivor).bind(2, merged);
  struct Clash {
    std::int64_t id;
    std::string rule_id, state, action, channel;
  };
  std::vector<Clash> clashes;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("merging rule jobs");
    if (!*row) break;
    clashes.push_back({stmt->int64(0), std::string(stmt->text(1)), std::string(stmt->text(2)),
                       std::string(stmt->text(3)), std::string(stmt->text(4))});
  }
  if (clashes.empty()) return {};
  auto rename = db.prepare(
      "UPDATE jobs SET occurrence = occurrence || ' (merged from customer ' || ?2 || ')' WHERE id = ?1");
  auto cancel = db.prepare(
      "UPDATE jobs SET state = 'cancelled', decided_at = ?2, reason = 'merged' WHERE id = ?1 AND state = "
      "'pending'");
  if (!rename) return rename.error();
  if (!cancel) return cancel.error();
  auto log = DecisionLog::create(db);
  if (!log) return log.error();
  for (const Clash& c : clashes) {
    rename->bind(1, c.id).bind(2, merged);
    if (auto s = rename->run(); !s) return s.error().within("merging rule jobs");
    if (c.state != "pending") continue;
    cancel->bind(1, c.id).bind(2, now.time_since_epoch().count());
    if (auto s = cancel->run(); !s) return s.error().within("merging rule jobs");
    DecisionInput d;
    d.job_id = c.id;
    d.customer_id = merged;  // moved to the survivor with the rest right after
    d.rule_id = c.rule_id;
    d.action = c.action;
    d.channel = c.channel;
    d.at = now;
    d.decision = Decision::cancelled;
    d.reason = Reason::merged;
    d.detail = "merged into customer " + std::to_string(survivor) + ", which has the same action planned";
    if (auto s = log->record(d); !s) return s;
    auto closed = close_task_of_job(db, c.id, TaskState::cancelled, "merged", now);
    if (!closed) return closed.error();
  }
  return {};
}

}  // namespace regua
