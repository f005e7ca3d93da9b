#pragma once
// Message records. A message is written (state 'intent') in the transaction that fires its job,
// committed with a full sync, and only then handed to a channel; the channel records the outcome
// ('sent', 'failed', or 'unknown' when a crash left it undecided). So a crash can lose a message but
// never send one twice (DESIGN.md: customer messages are at-most-once).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

struct NewMessage {
  std::int64_t job_id = 0;
  std::int64_t customer_id = 0;
  std::string rule_id;
  std::string channel;  // sms, whatsapp, email
  std::string recipient;
  std::optional<std::string> subject;
  std::string body;
};

class MessageLog {
 public:
  static Result<MessageLog> create(sqlite::Db& db);
  Result<std::int64_t> record_intent(const NewMessage& m, Seconds now);
  // When the customer's counted contacts were made: messages since `since` (also after now).
  Result<std::vector<std::pair<Seconds, std::string>>> recent(std::int64_t customer_id, Seconds since);

 public:
  // Empty until assigned from create(); lets an owner hold one by value.
  MessageLog() = default;

 private:
  sqlite::Db* db_ = nullptr;
  sqlite::Stmt insert_, recent_;
};

// A message waiting for a channel.
struct OutgoingMessage {
  std::int64_t id = 0;
  std::string rule_id;
  std::int64_t customer_id = 0;
  std::optional<std::string> customer_pos_id;
  std::string channel, recipient;
  std::optional<std::string> subject;
  std::string body;
  Seconds created_at{};
};

// Intents not yet handed to a channel, oldest first.
Result<std::vector<OutgoingMessage>> messages_to_send(sqlite::Db& db, int limit);
// Marks the intents with id <= `up_to` as sent by `sender`.
Status mark_sent(sqlite::Db& db, std::int64_t up_to, std::string_view sender, Seconds now);

}  // namespace regua
