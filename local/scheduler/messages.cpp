#include "local/scheduler/messages.hpp"

namespace regua {
namespace {

std::int64_t unix(Seconds t) {
  return t.time_since_epoch().count();
}

}  // namespace

Result<MessageLog> MessageLog::create(sqlite::Db& db) {
  MessageLog log;
  log.db_ = &db;
  auto insert = db.prepare(
      "INSERT INTO messages (job_id, customer_id, rule_id, channel, recipient, subject, body, state, "
      "created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'intent', ?8)");
  if (!insert) return insert.error().within("preparing the message log");
  log.insert_ = std::move(*insert);
  auto recent = db.prepare(
      "SELECT created_at, rule_id FROM messages WHERE customer_id = ?1 AND created_at > ?2 "
      "UNION ALL SELECT created_at, rule_id FROM tasks WHERE customer_id = ?1 AND created_at > ?2");
  if (!recent) return recent.error().within("preparing the message log");
  log.recent_ = std::move(*recent);
  return log;
}

Result<std::int64_t> MessageLog::record_intent(const NewMessage& m, Seconds now) {
  insert_.bind(1, m.job_id)
      .bind(2, m.customer_id)
      .bind_ref(3, std::string_view(m.rule_id))
      .bind_ref(4, std::string_view(m.channel))
      .bind_ref(5, std::string_view(m.recipient))
      .bind_ref(6, m.subject)
      .bind_ref(7, std::string_view(m.body))
      .bind(8, unix(now));
  if (auto s = insert_.run(); !s) return s.error().within("recording a message of rule " + m.rule_id);
  return db_->last_insert_rowid();
}

Result<std::vector<std::pair<Seconds, std::string>>> MessageLog::recent(std::int64_t customer_id,
                                                                        Seconds since) {
  recent_.bind(1, customer_id).bind(2, unix(since));
  std::vector<std::pair<Seconds, std::string>> out;
  for (;;) {
    auto row = recent_.step();
    if (!row) return row.error().within("reading the customer's recent contacts");
    if (!*row) break;
    out.emplace_back(Seconds{std::chrono::seconds{recent_.int64(0)}}, std::string(recent_.text(1)));
  }
  return out;
}

Result<std::vector<OutgoingMessage>> messages_to_send(sqlite::Db& db, int limit) {
  auto stmt = db.prepare(
      "SELECT m.id, m.rule_id, m.customer_id, c.pos_id, m.channel, m.recipient, m.subject, m.body, "
      "m.created_at "
      "FROM messages m LEFT JOIN customers c ON c.id = m.customer_id WHERE m.state = 'intent' "
      "ORDER BY m.id LIMIT ?1");
  if (!stmt) return stmt.error().within("reading the messages to send");
  stmt->bind(1, std::int64_t{limit});
  std::vector<OutgoingMessage> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within("reading the messages to send");
    if (!*row) break;
    OutgoingMessage m;
    m.id = stmt->int64(0);
    m.rule_id = std::string(stmt->text(1));
    m.customer_id = stmt->int64(2);
    m.customer_pos_id = stmt->optional_text(3);
    m.channel = std::string(stmt->text(4));
    m.recipient = std::string(stmt->text(5));
    m.subject = stmt->optional_text(6);
    m.body = std::string(stmt->text(7));
    m.created_at = Seconds{std::chrono::seconds{stmt->int64(8)}};
    out.push_back(std::move(m));
  }
  return out;
}

Status mark_sent(sqlite::Db& db, std::int64_t up_to, std::string_view sender, Seconds now) {
  auto stmt = db.prepare(
      "UPDATE messages SET state = 'sent', sent_at = ?2, sender = ?3 WHERE id <= ?1 AND state = 'intent'");
  if (!stmt) return stmt.error();
  stmt->bind(1, up_to).bind(2, unix(now)).bind(3, sender);
  auto s = stmt->run();
  return s ? s : s.error().within("recording the messages sent");
}

}  // namespace regua
