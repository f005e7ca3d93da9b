#pragma once
// Tasks for staff: what a rule asks a person to do (call, WhatsApp a loyal customer who went
// quiet), with a due moment and an expiry. States: open -> done (with an outcome) | archived |
// cancelled (its reason lapsed: the customer bought) | expired. Overdue (open past its due moment)
// is shown, not stored. Seed 000: "keep tasks at zero"; status counts open and overdue ones.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

enum class TaskState { open, done, archived, cancelled, expired };
std::string_view task_state_name(TaskState state);
std::optional<TaskState> task_state_from_name(std::string_view name);

enum class TaskOutcome { contacted, no_answer, sold, wrong_number };
std::string_view task_outcome_name(TaskOutcome outcome);
// Also accepts '-' for '_' ("no-answer").
std::optional<TaskOutcome> task_outcome_from_name(std::string_view name);

struct NewTask {
  std::int64_t job_id = 0;
  std::int64_t customer_id = 0;
  std::string rule_id;
  std::string title, instructions;
  std::string channel;  // sms, whatsapp, email, call
  std::string text;     // what staff send
  std::optional<std::string> link;
  Seconds due_at{}, expires_at{};
};

Result<std::int64_t> create_task(sqlite::Db& db, const NewTask& task, Seconds now);

struct TaskRow {
  std::int64_t id = 0;
  std::string rule_id;
  std::int64_t customer_id = 0;
  std::optional<std::string> customer_pos_id, customer_name, customer_phone;
  std::string title, instructions, channel, text;
  std::optional<std::string> link;
  TaskState state = TaskState::open;
  std::optional<std::string> outcome, note, close_reason;
  Seconds created_at{}, due_at{}, expires_at{};
  std::optional<Seconds> closed_at;
  bool overdue = false;  // open and past due at the time of the listing
};

// Tasks in `state` (all when empty), open ones by due moment, others newest first.
Result<std::vector<TaskRow>> list_tasks(sqlite::Db& db, std::optional<TaskState> state, Seconds now);
Result<std::optional<TaskRow>> find_task(sqlite::Db& db, std::int64_t id, Seconds now);

// Staff closing a task. ErrorKind::usage for an unknown task, input for one that is not open.
Status complete_task(sqlite::Db& db, std::int64_t id, TaskOutcome outcome, std::string_view note,
                     Seconds now);
Status archive_task(sqlite::Db& db, std::int64_t id, Seconds now);

// Closes the open task of a job as cancelled (its reason lapsed) or expired; false when none was open.
Result<bool> close_task_of_job(sqlite::Db& db, std::int64_t job_id, TaskState state, std::string_view reason,
                               Seconds now);
// Expires the open tasks whose expiry has come; returns how many.
Result<std::int64_t> expire_tasks(sqlite::Db& db, Seconds now);
// The same, returning the tasks expired, so that the scheduler records each as a decision.
struct ExpiredTask {
  std::int64_t id = 0, job_id = 0, customer_id = 0;
  std::string rule_id, channel;
  Seconds expires_at{};
};
Result<std::vector<ExpiredTask>> expire_due_tasks(sqlite::Db& db, Seconds now);
Result<std::optional<Seconds>> next_task_expiry(sqlite::Db& db);

struct TaskCounts {
  std::int64_t open = 0;
  std::int64_t overdue = 0;
};
Result<TaskCounts> count_tasks(sqlite::Db& db, Seconds now);

}  // namespace regua
