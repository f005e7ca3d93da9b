// `regua-agent tasks list [--json] [--state S]`, `tasks done ID --outcome O [--note T]` and
// `tasks archive ID`: the staff's side of the rules' tasks (docs/cli.md).

#include <fmt/format.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/cli/decision_format.hpp"
#include "agent/rules/tz_store_zone.hpp"
#include "local/tasks/tasks.hpp"

namespace regua {
namespace {

nlohmann::ordered_json optional_text_json(const std::optional<std::string>& s) {
  return s ? nlohmann::ordered_json(*s) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json task_json(const TaskRow& t, const StoreZone& zone) {
  nlohmann::ordered_json j;
  j["id"] = t.id;
  j["state"] = task_state_name(t.state);
  j["overdue"] = t.overdue;
  j["rule"] = t.rule_id;
  j["customer"] = t.customer_pos_id ? *t.customer_pos_id : "#" + std::to_string(t.customer_id);
  j["name"] = optional_text_json(t.customer_name);
  j["phone"] = optional_text_json(t.customer_phone);
  j["channel"] = t.channel;
  j["title"] = t.title;
  j["instructions"] = t.instructions;
  j["text"] = t.text;
  j["link"] = optional_text_json(t.link);
  j["created_at"] = zone.iso(t.created_at);
  j["due_at"] = zone.iso(t.due_at);
  j["expires_at"] = zone.iso(t.expires_at);
  j["closed_at"] = t.closed_at ? nlohmann::ordered_json(zone.iso(*t.closed_at)) : nullptr;
  j["outcome"] = optional_text_json(t.outcome);
  j["note"] = optional_text_json(t.note);
  j["close_reason"] = optional_text_json(t.close_reason);
  return j;
}

std::string task_text(const TaskRow& t, const StoreZone& zone) {
  std::string out = fmt::format("#{}  {}{}  due {}  {}  {}", t.id, task_state_name(t.state),
                                t.overdue ? " OVERDUE" : "", zone.readable(t.due_at), t.rule_id,
                                t.customer_pos_id.value_or("#" + std::to_string(t.customer_id)));
  if (t.customer_name) out += " " + *t.customer_name;
  if (t.customer_phone) out += "  " + *t.customer_phone;
  out += "\n    " + t.title + " (" + t.channel + ")\n";
  if (!t.instructions.empty()) out += "    " + t.instructions + "\n";
  if (t.link) out += "    " + *t.link + "\n";
  if (t.outcome) out += "    outcome: " + *t.outcome + (t.note ? " (" + *t.note + ")" : "") + "\n";
  if (t.close_reason) out += "    " + *t.close_reason + "\n";
  return out;
}

std::string state_list() {
  std::string out;
  for (const auto s :
       {TaskState::open, TaskState::done, TaskState::archived, TaskState::cancelled, TaskState::expired})
    out += (out.empty() ? "" : ", ") + std::string(task_state_name(s));
  return out;
}

int list(const AgentConfig& config, const TasksOptions& options, const StoreZone& zone) {
  std::optional<TaskState> state;
  if (options.state) {
    state = task_state_from_name(*options.state);
    if (!state) {
      return report_error(make_error(
          ErrorKind::usage,
          "tasks list --state: \"" + *options.state + "\" is not a task state (states: " + state_list() +
              (*options.state == "overdue"
                   ? "; overdue is not a state: list the open tasks and look at their overdue "
                     "flag)"
                   : ")")));
    }
  }
  SystemClock clock;
  auto ledger = open_ledger_for_reading(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto tasks = list_tasks(ledger->db(), state, clock.now());
  if (!tasks) return report_error(tasks.error());
  auto counts = count_tasks(ledger->db(), clock.now());
  if (!counts) return report_error(counts.error());
  if (options.json) {
    nlohmann::ordered_json j;
    j["open"] = counts->open;
    j["overdue"] = counts->overdue;
    j["tasks"] = nlohmann::ordered_json::array();
    for (const auto& t : *tasks)
      j["tasks"].push_back(task_json(t, zone));
    fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return kExitOk;
  }
  fmt::print("{} open task(s), {} overdue\n", counts->open, counts->overdue);
  for (const auto& t : *tasks)
    fmt::print("\n{}", task_text(t, zone));
  return kExitOk;
}

int close(const AgentConfig& config, const TasksOptions& options, const StoreZone& zone) {
  std::optional<TaskOutcome> outcome;
  if (options.action == TasksOptions::Action::done) {
    outcome = task_outcome_from_name(options.outcome);
    if (!outcome) {
      return report_error(
          make_error(ErrorKind::usage, "tasks done --outcome: \"" + options.outcome +
                                           "\" is not an outcome (outcomes: contacted, no_answer, sold, "
                                           "wrong_number)"));
    }
  }
  SystemClock clock;
  // Reading first: closing a task must not create an empty ledger where there is none.
  if (auto exists = open_ledger_for_reading(config, clock); !exists) return report_error(exists.error());
  auto ledger = open_ledger_for_writing(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto& db = ledger->db();
  {
    auto txn = sqlite::Transaction::begin(db);
    if (!txn) return report_error(txn.error());
    auto done = outcome ? complete_task(db, options.id, *outcome, options.note, clock.now())
                        : archive_task(db, options.id, clock.now());
    if (!done) return report_error(done.error());
    if (auto s = txn->commit(); !s) return report_error(s.error());
  }
  auto task = find_task(db, options.id, clock.now());
  if (!task) return report_error(task.error());
  if (!*task) return report_error(make_error(ErrorKind::internal, "the task just closed is gone"));
  if (options.json) {
    fmt::print("{}\n", task_json(**task, zone).dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    fmt::print("task #{} is {}{}\n", options.id, task_state_name((*task)->state),
               (*task)->outcome ? " (" + *(*task)->outcome + ")" : "");
  }
  return kExitOk;
}

}  // namespace

int tasks_command(const AgentConfig& config, const TasksOptions& options) {
  const TzStoreZone zone(*config.store.zone);
  if (options.action == TasksOptions::Action::list) return list(config, options, zone);
  return close(config, options, zone);
}

}  // namespace regua
