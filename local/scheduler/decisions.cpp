#include "local/scheduler/decisions.hpp"

#include <array>

#include "local/core/enum_names.hpp"

namespace regua {
namespace {

constexpr std::array<std::string_view, 5> kDecisions{"fired", "deferred", "skipped", "cancelled", "holdout"};

}  // namespace

std::string_view decision_name(Decision decision) {
  return kDecisions[static_cast<std::size_t>(decision)];
}

std::optional<Decision> decision_from_name(std::string_view name) {
  return enum_from_name<Decision>(kDecisions, name);
}

Result<DecisionLog> DecisionLog::create(sqlite::Db& db) {
  DecisionLog log;
  auto stmt = db.prepare(
      "INSERT INTO decisions (job_id, customer_id, rule_id, action, channel, at, decision, reason, detail, "
      "until, "
      "message_id, task_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!stmt) return stmt.error().within("preparing the decision log");
  log.insert_ = std::move(*stmt);
  return log;
}

Status DecisionLog::record(const DecisionInput& d) {
  insert_.bind(1, d.job_id)
      .bind(2, d.customer_id)
      .bind_ref(3, d.rule_id)
      .bind_ref(4, d.action)
      .bind_ref(5, d.channel)
      .bind(6, to_unix(d.at))
      .bind(7, decision_name(d.decision))
      .bind(8, d.code.empty() ? reason_code(d.reason) : d.code)
      .bind_ref(9, std::string_view(d.detail));
  if (d.until) {
    insert_.bind(10, to_unix(*d.until));
  } else {
    insert_.bind_null(10);
  }
  if (d.message_id) {
    insert_.bind(11, *d.message_id);
  } else {
    insert_.bind_null(11);
  }
  if (d.task_id) {
    insert_.bind(12, *d.task_id);
  } else {
    insert_.bind_null(12);
  }
  auto s = insert_.run();
  return s ? s : s.error().within("recording a decision of rule " + std::string(d.rule_id));
}

Status for_each_decision(sqlite::Db& db, std::optional<std::int64_t> customer_id,
                         const std::function<Status(const DecisionView&)>& each) {
  std::string sql =
      "SELECT d.id, d.at, d.rule_id, d.customer_id, c.pos_id, c.name, d.decision, d.reason, d.detail, "
      "d.until, "
      "d.action, d.channel, j.occurrence, j.planned_at, m.id, m.recipient, m.subject, m.body, t.id, t.title, "
      "t.instructions, t.text, t.link, t.due_at, t.expires_at "
      "FROM decisions d JOIN jobs j ON j.id = d.job_id LEFT JOIN customers c ON c.id = d.customer_id "
      "LEFT JOIN messages m ON m.id = d.message_id LEFT JOIN tasks t ON t.id = d.task_id ";
  sql += customer_id ? "WHERE d.customer_id = ?1 ORDER BY d.id" : "ORDER BY d.id";
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error().within("reading the decisions");
  if (customer_id) stmt->bind(1, *customer_id);
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("reading the decisions");
    if (!*row) return {};
    DecisionView v;
    v.id = stmt->int64(0);
    v.at = Seconds{std::chrono::seconds{stmt->int64(1)}};
    v.rule_id = std::string(stmt->text(2));
    v.customer_id = stmt->int64(3);
    v.customer_pos_id = stmt->optional_text(4);
    v.customer_name = stmt->optional_text(5);
    v.decision = std::string(stmt->text(6));
    v.reason = std::string(stmt->text(7));
    v.detail = std::string(stmt->text(8));
    v.until = stmt->optional_time(9);
    v.action = std::string(stmt->text(10));
    v.channel = std::string(stmt->text(11));
    v.occurrence = std::string(stmt->text(12));
    v.planned_at = Seconds{std::chrono::seconds{stmt->int64(13)}};
    v.message_id = stmt->optional_int64(14);
    v.recipient = stmt->optional_text(15);
    v.subject = stmt->optional_text(16);
    v.text = stmt->optional_text(17);
    v.task_id = stmt->optional_int64(18);
    v.title = stmt->optional_text(19);
    v.instructions = stmt->optional_text(20);
    if (v.task_id) v.text = stmt->optional_text(21);
    v.link = stmt->optional_text(22);
    v.task_due_at = stmt->optional_time(23);
    v.task_expires_at = stmt->optional_time(24);
    if (auto s = each(v); !s) {
      stmt->reset();
      return s;
    }
  }
}

Result<std::vector<DecisionCount>> count_decisions(sqlite::Db& db, Seconds from, Seconds to) {
  auto stmt = db.prepare(
      "SELECT rule_id, decision, reason, count(*) FROM decisions WHERE at >= ?1 AND at < ?2 "
      "GROUP BY rule_id, decision, reason ORDER BY rule_id, decision, count(*) DESC, reason");
  if (!stmt) return stmt.error().within("counting the decisions");
  stmt->bind(1, to_unix(from)).bind(2, to_unix(to));
  std::vector<DecisionCount> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("counting the decisions");
    if (!*row) return out;
    out.push_back(
        {std::string(stmt->text(0)), std::string(stmt->text(1)), std::string(stmt->text(2)), stmt->int64(3)});
  }
}

}  // namespace regua
