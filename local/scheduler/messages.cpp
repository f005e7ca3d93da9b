#include "local/scheduler/messages.hpp"

#include <array>

#include "local/scheduler/decisions.hpp"

namespace regua {
namespace {

std::int64_t message_clock(Seconds t) {
  return t.time_since_epoch().count();
}

constexpr std::array<std::string_view, 6> kMessageStates{"intent", "sending", "sent",
                                                         "failed", "unknown", "cancelled"};

// "'sms', 'email'" for an IN list; channel names are a closed set checked by the caller's config,
// and the table's CHECK refuses anything else, so quoting them is enough.
std::string channel_list_sql(std::span<const std::string> channels) {
  std::string out;
  for (const auto& c : channels) {
    std::string quoted;
    for (const char ch : c) {
      if (ch == '\'') quoted += '\'';
      quoted += ch;
    }
    out += (out.empty() ? "'" : ", '") + quoted + "'";
  }
  return out.empty() ? "NULL" : out;
}

constexpr std::string_view kOutgoingColumns =
    "SELECT m.id, m.job_id, m.rule_id, m.customer_id, c.pos_id, m.channel, m.recipient, m.subject, m.body, "
    "m.created_at, m.attempts, m.idempotency_key "
    "FROM messages m LEFT JOIN customers c ON c.id = m.customer_id ";

Result<std::vector<OutgoingMessage>> read_outgoing(sqlite::Stmt& stmt) {
  std::vector<OutgoingMessage> out;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error().within("reading the messages to send");
    if (!*row) break;
    OutgoingMessage m;
    m.id = stmt.int64(0);
    m.job_id = stmt.int64(1);
    m.rule_id = std::string(stmt.text(2));
    m.customer_id = stmt.int64(3);
    m.customer_pos_id = stmt.optional_text(4);
    m.channel = std::string(stmt.text(5));
    m.recipient = std::string(stmt.text(6));
    m.subject = stmt.optional_text(7);
    m.body = std::string(stmt.text(8));
    m.created_at = Seconds{std::chrono::seconds{stmt.int64(9)}};
    m.attempts = static_cast<int>(stmt.int64(10));
    m.idempotency_key = stmt.optional_text(11);
    out.push_back(std::move(m));
  }
  return out;
}

std::string message_label(std::int64_t id) {
  return "message " + std::to_string(id);
}

// Runs an UPDATE of one message that must change exactly one row.
Status update_one(sqlite::Db& db, sqlite::Stmt& stmt, std::int64_t id, std::string_view what) {
  if (auto s = stmt.run(); !s)
    return s.error().within("recording " + message_label(id) + " as " + std::string(what));
  if (db.changes() != 1) {
    return make_error(ErrorKind::internal, "recording " + message_label(id) + " as " + std::string(what) +
                                               ": it is not in the state this needs (a second agent on the "
                                               "same ledger? stop it)");
  }
  return {};
}

int delivery_rank(std::string_view delivery) {
  if (delivery == "delivered" || delivery == "failed") return 1;
  if (delivery == "read") return 2;
  return 0;
}

}  // namespace

std::string_view message_state_name(MessageState state) {
  return kMessageStates[static_cast<std::size_t>(state)];
}

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
      .bind(8, message_clock(now));
  if (auto s = insert_.run(); !s) return s.error().within("recording a message of rule " + m.rule_id);
  return db_->last_insert_rowid();
}

Result<std::vector<std::pair<Seconds, std::string>>> MessageLog::recent(std::int64_t customer_id,
                                                                        Seconds since) {
  recent_.bind(1, customer_id).bind(2, message_clock(since));
  std::vector<std::pair<Seconds, std::string>> out;
  for (;;) {
    auto row = recent_.step();
    if (!row) return row.error().within("reading the customer's recent contacts");
    if (!*row) break;
    out.emplace_back(Seconds{std::chrono::seconds{recent_.int64(0)}}, std::string(recent_.text(1)));
  }
  return out;
}

Result<std::vector<OutgoingMessage>> messages_ready(sqlite::Db& db, Seconds now,
                                                    std::span<const std::string> channels, int limit) {
  auto stmt =
      db.prepare(std::string(kOutgoingColumns) + "WHERE m.state = 'intent' AND m.channel IN (" +
                 channel_list_sql(channels) +
                 ") AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= ?1) ORDER BY m.id LIMIT ?2");
  if (!stmt) return stmt.error().within("reading the messages to send");
  stmt->bind(1, message_clock(now)).bind(2, std::int64_t{limit});
  return read_outgoing(*stmt);
}

Result<std::optional<Seconds>> next_attempt_due(sqlite::Db& db, std::span<const std::string> channels) {
  auto stmt = db.prepare("SELECT min(next_attempt_at) FROM messages WHERE state = 'intent' AND channel IN (" +
                         channel_list_sql(channels) + ")");
  if (!stmt) return stmt.error().within("reading the next retry");
  auto row = stmt->step();
  if (!row) return row.error().within("reading the next retry");
  std::optional<Seconds> out;
  if (*row && !stmt->is_null(0)) out = Seconds{std::chrono::seconds{stmt->int64(0)}};
  stmt->reset();
  return out;
}

Status mark_sent(sqlite::Db& db, std::span<const std::int64_t> ids, std::string_view sender, Seconds now) {
  auto stmt = db.prepare(
      "UPDATE messages SET state = 'sent', sent_at = ?2, sender = ?3, attempts = attempts + 1, error = NULL "
      "WHERE id = ?1 AND state = 'intent'");
  if (!stmt) return stmt.error();
  for (const auto id : ids) {
    stmt->bind(1, id).bind(2, message_clock(now)).bind(3, sender);
    if (auto s = stmt->run(); !s) return s.error().within("recording the messages sent");
  }
  return {};
}

Result<bool> begin_attempt(sqlite::Db& db, std::int64_t id, std::string_view sender,
                           const std::optional<std::string>& idempotency_key, Seconds now) {
  auto stmt = db.prepare(
      "UPDATE messages SET state = 'sending', sender = ?2, idempotency_key = ?3, sending_at = ?4, "
      "attempts = attempts + 1, next_attempt_at = NULL WHERE id = ?1 AND state = 'intent'");
  if (!stmt) return stmt.error();
  stmt->bind(1, id).bind(2, sender).bind(3, idempotency_key).bind(4, message_clock(now));
  if (auto s = stmt->run(); !s) return s.error().within("recording the attempt to send " + message_label(id));
  return db.changes() == 1;
}

Status record_sent(sqlite::Db& db, std::int64_t id, const std::optional<std::string>& provider_id,
                   Seconds now) {
  auto stmt = db.prepare(
      "UPDATE messages SET state = 'sent', sent_at = ?2, provider_id = ?3, error = NULL "
      "WHERE id = ?1 AND state = 'sending'");
  if (!stmt) return stmt.error();
  stmt->bind(1, id).bind(2, message_clock(now)).bind(3, provider_id);
  return update_one(db, *stmt, id, "sent");
}

Status record_failed(sqlite::Db& db, std::int64_t id, std::string_view reason) {
  auto stmt =
      db.prepare("UPDATE messages SET state = 'failed', error = ?2 WHERE id = ?1 AND state = 'sending'");
  if (!stmt) return stmt.error();
  stmt->bind(1, id).bind(2, reason);
  return update_one(db, *stmt, id, "failed");
}

Status record_retry(sqlite::Db& db, std::int64_t id, std::string_view reason, Seconds next_at) {
  auto stmt = db.prepare(
      "UPDATE messages SET state = 'intent', error = ?2, next_attempt_at = ?3 WHERE id = ?1 AND state = "
      "'sending'");
  if (!stmt) return stmt.error();
  stmt->bind(1, id).bind(2, reason).bind(3, message_clock(next_at));
  return update_one(db, *stmt, id, "waiting for a retry");
}

Status record_unknown(sqlite::Db& db, std::int64_t id, std::string_view reason) {
  auto stmt =
      db.prepare("UPDATE messages SET state = 'unknown', error = ?2 WHERE id = ?1 AND state = 'sending'");
  if (!stmt) return stmt.error();
  stmt->bind(1, id).bind(2, reason);
  return update_one(db, *stmt, id, "unknown");
}

Status cancel_message(sqlite::Db& db, const OutgoingMessage& m, std::string_view code,
                      std::string_view detail, Seconds now) {
  auto stmt =
      db.prepare("UPDATE messages SET state = 'cancelled', error = ?2 WHERE id = ?1 AND state = 'intent'");
  if (!stmt) return stmt.error();
  stmt->bind(1, m.id).bind(2, detail);
  if (auto s = update_one(db, *stmt, m.id, "cancelled"); !s) return s;
  auto log = DecisionLog::create(db);
  if (!log) return log.error();
  DecisionInput d;
  d.job_id = m.job_id;
  d.customer_id = m.customer_id;
  d.rule_id = m.rule_id;
  d.action = "message";
  d.channel = m.channel;
  d.at = now;
  d.decision = Decision::cancelled;
  d.code = code;
  d.detail = "not sent: " + std::string(detail);
  return log->record(d);
}

Result<InterruptedSends> recover_interrupted_sends(sqlite::Db& db) {
  InterruptedSends out;
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error();
  auto retry = db.prepare(
      "UPDATE messages SET state = 'intent', next_attempt_at = NULL, error = 'interrupted by a stop; retried "
      "with the same idempotency key' WHERE state = 'sending' AND idempotency_key IS NOT NULL");
  if (!retry) return retry.error();
  if (auto s = retry->run(); !s) return s.error().within("recovering interrupted sends");
  out.retried = db.changes();
  auto unknown = db.prepare(
      "UPDATE messages SET state = 'unknown', error = 'the agent stopped (a crash, a kill, a power cut) "
      "while "
      "the provider was being called: it may or may not have received the message, so it is not sent "
      "again' WHERE state = 'sending'");
  if (!unknown) return unknown.error();
  if (auto s = unknown->run(); !s) return s.error().within("recovering interrupted sends");
  out.unknown = db.changes();
  if (auto s = txn->commit(); !s) return s.error();
  return out;
}

Status record_receipt(sqlite::Db& db, const Receipt& r, Seconds now) {
  auto insert = db.prepare(
      "INSERT INTO message_receipts (message_id, provider, status, error, received_at) VALUES (?1, ?2, ?3, "
      "?4, "
      "?5)");
  if (!insert) return insert.error();
  insert->bind(1, r.message_id)
      .bind(2, r.provider)
      .bind(3, r.status)
      .bind(4, r.error)
      .bind(5, message_clock(now));
  if (auto s = insert->run(); !s)
    return s.error().within("recording a receipt of " + message_label(r.message_id));
  if (r.delivery.empty()) return {};
  auto current = db.prepare("SELECT delivery FROM messages WHERE id = ?1");
  if (!current) return current.error();
  current->bind(1, r.message_id);
  auto row = current->step();
  if (!row) return row.error();
  const std::string was = *row && !current->is_null(0) ? std::string(current->text(0)) : std::string();
  current->reset();
  if (delivery_rank(r.delivery) < delivery_rank(was)) return {};
  auto update =
      db.prepare("UPDATE messages SET delivery = ?2, delivery_at = ?3, delivery_error = ?4 WHERE id = ?1");
  if (!update) return update.error();
  update->bind(1, r.message_id).bind(2, r.delivery).bind(3, message_clock(now)).bind(4, r.error);
  auto s = update->run();
  return s ? s : s.error().within("recording the delivery of " + message_label(r.message_id));
}

Result<std::optional<std::int64_t>> find_message(sqlite::Db& db, std::optional<std::int64_t> id,
                                                 std::string_view provider, std::string_view provider_id) {
  auto stmt = id ? db.prepare("SELECT id FROM messages WHERE id = ?1 AND sender = ?2")
                 : db.prepare("SELECT id FROM messages WHERE provider_id = ?3 AND sender = ?2");
  if (!stmt) return stmt.error();
  if (id) {
    stmt->bind(1, *id);
  } else {
    stmt->bind(3, provider_id);
  }
  stmt->bind(2, provider);
  auto row = stmt->step();
  if (!row) return row.error().within("finding the message of a receipt");
  std::optional<std::int64_t> out;
  if (*row) out = stmt->int64(0);
  stmt->reset();
  return out;
}

}  // namespace regua
