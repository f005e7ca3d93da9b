#include "local/scheduler/erasure_actions.hpp"

#include <set>
#include <string>
#include <vector>

#include "local/scheduler/decisions.hpp"
#include "local/tasks/tasks.hpp"

namespace regua {
namespace {

constexpr std::string_view kWhy = "the customer's personal data was erased (customers forget)";

struct OpenAction {
  std::int64_t job_id = 0;
  std::int64_t task_id = 0, message_id = 0;  // an open task, an unsent message; both 0: a pending job
  std::string rule_id, action, channel;
};

enum class OpenKind { job, task, message };

// Rows of job id, rule id, action, channel and (tasks, messages) the task's or message's id.
Result<std::vector<OpenAction>> read_open(sqlite::Stmt& stmt, std::int64_t customer_id, OpenKind kind) {
  stmt.bind(1, customer_id);
  std::vector<OpenAction> out;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error().within("reading the actions of customer " + std::to_string(customer_id));
    if (!*row) return out;
    OpenAction a;
    a.job_id = stmt.int64(0);
    a.rule_id = std::string(stmt.text(1));
    a.action = std::string(stmt.text(2));
    a.channel = std::string(stmt.text(3));
    if (kind == OpenKind::task) a.task_id = stmt.int64(4);
    if (kind == OpenKind::message) a.message_id = stmt.int64(4);
    out.push_back(std::move(a));
  }
}

// Replaces the columns' personal data in every row of `table` that belongs to the customer;
// returns the ids of the rows changed. `columns` are text columns that may be NULL.
Result<std::vector<std::int64_t>> scrub_rows(sqlite::Db& db, std::string_view table,
                                             const std::vector<std::string>& columns,
                                             std::int64_t customer_id, const PersonalValues& values,
                                             std::string_view of_customer = "customer_id = ?1") {
  std::string list;
  for (const auto& c : columns)
    list += ", " + c;
  auto read =
      db.prepare("SELECT id" + list + " FROM " + std::string(table) + " WHERE " + std::string(of_customer));
  if (!read) return read.error();
  read->bind(1, customer_id);
  struct Change {
    std::int64_t id;
    std::vector<std::optional<std::string>> texts;
  };
  std::vector<Change> changes;
  for (;;) {
    auto row = read->step();
    if (!row) return row.error().within("reading " + std::string(table));
    if (!*row) break;
    Change c{read->int64(0), {}};
    bool changed = false;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      auto text = read->optional_text(static_cast<int>(i) + 1);
      if (text) {
        if (auto scrubbed = values.scrub(*text)) {
          text = std::move(scrubbed);
          changed = true;
        }
      }
      c.texts.push_back(std::move(text));
    }
    if (changed) changes.push_back(std::move(c));
  }
  std::string set;
  for (std::size_t i = 0; i < columns.size(); ++i)
    set += (i == 0 ? "" : ", ") + columns[i] + " = ?" + std::to_string(i + 2);
  auto update = db.prepare("UPDATE " + std::string(table) + " SET " + set + " WHERE id = ?1");
  if (!update) return update.error();
  std::vector<std::int64_t> ids;
  for (const Change& c : changes) {
    update->bind(1, c.id);
    for (std::size_t i = 0; i < c.texts.size(); ++i)
      update->bind(static_cast<int>(i) + 2, c.texts[i]);
    if (auto s = update->run(); !s)
      return s.error().within("erasing personal data from " + std::string(table));
    ids.push_back(c.id);
  }
  return ids;
}

}  // namespace

Result<ErasedActions> erase_actions(sqlite::Db& db, std::int64_t customer_id, const PersonalValues& values,
                                    Seconds now) {
  ErasedActions out;
  auto log = DecisionLog::create(db);
  if (!log) return log.error();
  const auto record = [&](const OpenAction& a, std::string detail) {
    DecisionInput d;
    d.job_id = a.job_id;
    d.customer_id = customer_id;
    d.rule_id = a.rule_id;
    d.action = a.action;
    d.channel = a.channel;
    d.at = now;
    d.decision = Decision::cancelled;
    d.reason = Reason::erased;
    d.detail = std::move(detail);
    if (a.task_id != 0) d.task_id = a.task_id;
    if (a.message_id != 0) d.message_id = a.message_id;
    return log->record(d);
  };

  // Pending jobs: cancelled, each with its decision.
  auto pending = db.prepare(
      "SELECT id, rule_id, action, channel FROM jobs WHERE customer_id = ?1 AND state = 'pending' ORDER BY "
      "id");
  if (!pending) return pending.error();
  auto jobs = read_open(*pending, customer_id, OpenKind::job);
  if (!jobs) return jobs.error();
  auto cancel = db.prepare(
      "UPDATE jobs SET state = 'cancelled', decided_at = ?2, reason = 'erased' WHERE id = ?1 AND state = "
      "'pending'");
  if (!cancel) return cancel.error();
  for (const OpenAction& a : *jobs) {
    cancel->bind(1, a.job_id).bind(2, now.time_since_epoch().count());
    if (auto s = cancel->run(); !s) return s.error().within("cancelling job " + std::to_string(a.job_id));
    if (auto s = record(a, std::string(kWhy)); !s) return s.error();
    ++out.jobs_cancelled;
  }

  // Open tasks: staff must not contact them any more.
  auto open = db.prepare(
      "SELECT job_id, rule_id, 'task', channel, id FROM tasks WHERE customer_id = ?1 AND state = 'open' "
      "ORDER BY id");
  if (!open) return open.error();
  auto tasks = read_open(*open, customer_id, OpenKind::task);
  if (!tasks) return tasks.error();
  for (const OpenAction& a : *tasks) {
    auto closed = close_task_of_job(db, a.job_id, TaskState::cancelled, "erased: " + std::string(kWhy), now);
    if (!closed) return closed.error();
    if (!*closed) continue;
    if (auto s =
            record(a, "task " + std::to_string(a.task_id) + " for staff cancelled: " + std::string(kWhy));
        !s)
      return s.error();
    ++out.tasks_cancelled;
  }

  // Messages no channel has taken yet are never sent: cancelled as the send-time check cancels
  // them (messages.hpp), with a decision for their job. One a provider is being called for
  // (`sending`) is beyond reach; its texts are erased below like those of the others.
  auto intents = db.prepare(
      "SELECT job_id, rule_id, 'message', channel, id FROM messages WHERE customer_id = ?1 AND state = "
      "'intent' ORDER BY id");
  if (!intents) return intents.error();
  auto unsent = read_open(*intents, customer_id, OpenKind::message);
  if (!unsent) return unsent.error();
  auto stop = db.prepare(
      "UPDATE messages SET state = 'cancelled', error = ?2, next_attempt_at = NULL WHERE id = ?1 AND state = "
      "'intent'");
  if (!stop) return stop.error();
  for (const OpenAction& a : *unsent) {
    const std::int64_t message_id = a.message_id;
    stop->bind(1, message_id).bind(2, "not sent: " + std::string(kWhy));
    if (auto s = stop->run(); !s) return s.error().within("stopping message " + std::to_string(message_id));
    if (db.changes() == 0) continue;
    if (auto s = record(a, "message " + std::to_string(message_id) + " not sent: " + std::string(kWhy)); !s)
      return s.error();
    ++out.intents_stopped;
  }

  // What stays keeps no personal data.
  auto recipients =
      db.prepare("UPDATE messages SET recipient = ?2 WHERE customer_id = ?1 AND recipient != ?2");
  if (!recipients) return recipients.error();
  recipients->bind(1, customer_id).bind(2, kErasedMark);
  if (auto s = recipients->run(); !s) return s.error().within("erasing message recipients");
  out.messages_cleared = db.changes();
  // A provider's error may quote the number or address it refused.
  auto texts =
      scrub_rows(db, "messages", {"subject", "body", "error", "delivery_error"}, customer_id, values);
  if (!texts) return texts.error();
  auto receipts = scrub_rows(db, "message_receipts", {"error"}, customer_id, values,
                             "message_id IN (SELECT id FROM messages WHERE customer_id = ?1)");
  if (!receipts) return receipts.error();

  // A task's contact link carries the number and the text; a staff note is free text about the
  // person: both go whole. Its outcome stays.
  std::set<std::int64_t> tasks_cleared;
  auto personal = db.prepare(
      "SELECT id FROM tasks WHERE customer_id = ?1 AND (link IS NOT NULL OR (note IS NOT NULL AND note != "
      "?2))");
  if (!personal) return personal.error();
  personal->bind(1, customer_id).bind(2, kErasedMark);
  for (;;) {
    auto row = personal->step();
    if (!row) return row.error().within("reading the tasks of the customer");
    if (!*row) break;
    tasks_cleared.insert(personal->int64(0));
  }
  auto links = db.prepare(
      "UPDATE tasks SET link = NULL, note = CASE WHEN note IS NULL THEN NULL ELSE ?2 END WHERE customer_id = "
      "?1");
  if (!links) return links.error();
  links->bind(1, customer_id).bind(2, kErasedMark);
  if (auto s = links->run(); !s) return s.error().within("erasing task links and notes");
  auto task_texts = scrub_rows(db, "tasks", {"title", "instructions", "text"}, customer_id, values);
  if (!task_texts) return task_texts.error();
  tasks_cleared.insert(task_texts->begin(), task_texts->end());
  out.tasks_cleared = static_cast<std::int64_t>(tasks_cleared.size());

  auto details = scrub_rows(db, "decisions", {"detail"}, customer_id, values);
  if (!details) return details.error();
  out.decisions_cleared = static_cast<std::int64_t>(details->size());
  return out;
}

}  // namespace regua
