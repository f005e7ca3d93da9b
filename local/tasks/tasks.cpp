#include "local/tasks/tasks.hpp"

#include <array>

#include "local/core/clock.hpp"
#include "local/core/enum_names.hpp"

namespace regua {
namespace {

constexpr std::array<std::string_view, 5> kTaskStates{"open", "done", "archived", "cancelled", "expired"};
constexpr std::array<std::string_view, 4> kOutcomes{"contacted", "no_answer", "sold", "wrong_number"};

constexpr std::string_view kSelect =
    "SELECT t.id, t.rule_id, t.customer_id, c.pos_id, c.name, coalesce(c.phone_e164, c.phone), t.title, "
    "t.instructions, t.channel, t.text, t.link, t.state, t.outcome, t.note, t.close_reason, t.created_at, "
    "t.due_at, t.expires_at, t.closed_at FROM tasks t LEFT JOIN customers c ON c.id = t.customer_id ";

TaskRow read_row(const sqlite::Stmt& s, Seconds now) {
  TaskRow r;
  r.id = s.int64(0);
  r.rule_id = std::string(s.text(1));
  r.customer_id = s.int64(2);
  r.customer_pos_id = s.optional_text(3);
  r.customer_name = s.optional_text(4);
  r.customer_phone = s.optional_text(5);
  r.title = std::string(s.text(6));
  r.instructions = std::string(s.text(7));
  r.channel = std::string(s.text(8));
  r.text = std::string(s.text(9));
  r.link = s.optional_text(10);
  r.state = task_state_from_name(s.text(11)).value_or(TaskState::open);
  r.outcome = s.optional_text(12);
  r.note = s.optional_text(13);
  r.close_reason = s.optional_text(14);
  r.created_at = from_unix(s.int64(15));
  r.due_at = from_unix(s.int64(16));
  r.expires_at = from_unix(s.int64(17));
  if (!s.is_null(18)) r.closed_at = from_unix(s.int64(18));
  r.overdue = r.state == TaskState::open && r.due_at < now;
  return r;
}

Status close_by_staff(sqlite::Db& db, std::int64_t id, TaskState state, std::optional<TaskOutcome> outcome,
                      std::string_view note, Seconds now) {
  auto found = find_task(db, id, now);
  if (!found) return found.error();
  if (!*found) {
    return make_error(ErrorKind::usage, "there is no task " + std::to_string(id) +
                                            " (`regua-agent tasks list --state all` lists them)");
  }
  if ((*found)->state != TaskState::open) {
    return make_error(ErrorKind::input, "task " + std::to_string(id) + " is already " +
                                            std::string(task_state_name((*found)->state)) +
                                            "; only open tasks can be closed");
  }
  auto stmt = db.prepare(
      "UPDATE tasks SET state = ?2, outcome = ?3, note = ?4, closed_at = ?5, close_reason = 'staff' "
      "WHERE id = ?1 AND state = 'open'");
  if (!stmt) return stmt.error();
  stmt->bind(1, id).bind(2, task_state_name(state)).bind(5, to_unix(now));
  if (outcome) {
    stmt->bind(3, task_outcome_name(*outcome));
  } else {
    stmt->bind_null(3);
  }
  if (note.empty()) {
    stmt->bind_null(4);
  } else {
    stmt->bind(4, note);
  }
  auto s = stmt->run();
  return s ? s : s.error().within("closing task " + std::to_string(id));
}

}  // namespace

std::string_view task_state_name(TaskState state) {
  return kTaskStates[static_cast<std::size_t>(state)];
}

std::optional<TaskState> task_state_from_name(std::string_view name) {
  return enum_from_name<TaskState>(kTaskStates, name);
}

std::string_view task_outcome_name(TaskOutcome outcome) {
  return kOutcomes[static_cast<std::size_t>(outcome)];
}

std::optional<TaskOutcome> task_outcome_from_name(std::string_view name) {
  std::string n(name);
  for (char& c : n)
    if (c == '-') c = '_';
  return enum_from_name<TaskOutcome>(kOutcomes, n);
}

Result<std::int64_t> create_task(sqlite::Db& db, const NewTask& t, Seconds now) {
  auto stmt = db.prepare(
      "INSERT INTO tasks (job_id, customer_id, rule_id, title, instructions, channel, text, link, state, "
      "created_at, due_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?10, ?11)");
  if (!stmt) return stmt.error();
  stmt->bind(1, t.job_id)
      .bind(2, t.customer_id)
      .bind(3, t.rule_id)
      .bind(4, t.title)
      .bind(5, t.instructions)
      .bind(6, t.channel)
      .bind(7, t.text)
      .bind(8, t.link)
      .bind(9, to_unix(now))
      .bind(10, to_unix(t.due_at))
      .bind(11, to_unix(t.expires_at));
  if (auto s = stmt->run(); !s) return s.error().within("creating a task of rule " + t.rule_id);
  return db.last_insert_rowid();
}

Result<std::vector<TaskRow>> list_tasks(sqlite::Db& db, std::optional<TaskState> state, Seconds now) {
  std::string sql(kSelect);
  if (state) {
    sql += "WHERE t.state = ?1 ";
    sql += *state == TaskState::open ? "ORDER BY t.due_at, t.id" : "ORDER BY t.closed_at DESC, t.id DESC";
  } else {
    sql += "ORDER BY t.state = 'open' DESC, t.due_at, t.id";
  }
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error().within("listing tasks");
  if (state) stmt->bind(1, task_state_name(*state));
  std::vector<TaskRow> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("listing tasks");
    if (!*row) break;
    out.push_back(read_row(*stmt, now));
  }
  return out;
}

Result<std::optional<TaskRow>> find_task(sqlite::Db& db, std::int64_t id, Seconds now) {
  auto stmt = db.prepare(std::string(kSelect) + "WHERE t.id = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<TaskRow>{};
  auto r = read_row(*stmt, now);
  stmt->reset();
  return std::optional<TaskRow>(std::move(r));
}

Status complete_task(sqlite::Db& db, std::int64_t id, TaskOutcome outcome, std::string_view note,
                     Seconds now) {
  return close_by_staff(db, id, TaskState::done, outcome, note, now);
}

Status archive_task(sqlite::Db& db, std::int64_t id, Seconds now) {
  return close_by_staff(db, id, TaskState::archived, std::nullopt, {}, now);
}

Result<bool> close_task_of_job(sqlite::Db& db, std::int64_t job_id, TaskState state, std::string_view reason,
                               Seconds now) {
  auto stmt = db.prepare(
      "UPDATE tasks SET state = ?2, closed_at = ?3, close_reason = ?4 WHERE job_id = ?1 AND state = 'open'");
  if (!stmt) return stmt.error();
  stmt->bind(1, job_id).bind(2, task_state_name(state)).bind(3, to_unix(now)).bind(4, reason);
  if (auto s = stmt->run(); !s) return s.error().within("closing the task of job " + std::to_string(job_id));
  return db.changes() > 0;
}

Result<std::int64_t> expire_tasks(sqlite::Db& db, Seconds now) {
  auto expired = expire_due_tasks(db, now);
  if (!expired) return expired.error();
  return static_cast<std::int64_t>(expired->size());
}

Result<std::vector<ExpiredTask>> expire_due_tasks(sqlite::Db& db, Seconds now) {
  // Read, then updated by the same condition: both run in the caller's transaction, so they see the
  // same open tasks.
  auto select = db.prepare(
      "SELECT id, job_id, customer_id, rule_id, channel, expires_at FROM tasks "
      "WHERE state = 'open' AND expires_at <= ?1 ORDER BY expires_at, id");
  if (!select) return select.error();
  select->bind(1, to_unix(now));
  std::vector<ExpiredTask> out;
  for (;;) {
    auto row = select->step();
    if (!row) return row.error().within("expiring tasks");
    if (!*row) break;
    ExpiredTask t;
    t.id = select->int64(0);
    t.job_id = select->int64(1);
    t.customer_id = select->int64(2);
    t.rule_id = std::string(select->text(3));
    t.channel = std::string(select->text(4));
    t.expires_at = from_unix(select->int64(5));
    out.push_back(std::move(t));
  }
  if (out.empty()) return out;
  auto stmt = db.prepare(
      "UPDATE tasks SET state = 'expired', closed_at = ?1, close_reason = 'expired' "
      "WHERE state = 'open' AND expires_at <= ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, to_unix(now));
  if (auto s = stmt->run(); !s) return s.error().within("expiring tasks");
  return out;
}

Result<std::optional<Seconds>> next_task_expiry(sqlite::Db& db) {
  auto stmt = db.prepare("SELECT min(expires_at) FROM tasks WHERE state = 'open'");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  std::optional<Seconds> out;
  if (*row && !stmt->is_null(0)) out = from_unix(stmt->int64(0));
  stmt->reset();
  return out;
}

Result<TaskCounts> count_tasks(sqlite::Db& db, Seconds now) {
  auto stmt = db.prepare("SELECT count(*), coalesce(sum(due_at < ?1), 0) FROM tasks WHERE state = 'open'");
  if (!stmt) return stmt.error();
  stmt->bind(1, to_unix(now));
  auto row = stmt->step();
  if (!row) return row.error().within("counting tasks");
  TaskCounts c;
  c.open = stmt->int64(0);
  c.overdue = stmt->int64(1);
  stmt->reset();
  return c;
}

}  // namespace regua
