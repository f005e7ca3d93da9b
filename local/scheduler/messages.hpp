#pragma once
// Message records and their send state machine (DESIGN.md: customer messages are at-most-once).
//
//   intent ──► sending ──► sent (provider id) │ failed (reason) │ intent again (retryable failure,
//     │          │                                                 not before next_attempt_at)
//     │          └─ found at start-up ──► unknown (never resent), or intent again when the
//     │                                   attempt carried an idempotency key the provider honours
//     └─ the send-time check refuses it (opt-out, customer gone, contact changed) ──► cancelled
//
// A message is written as an intent in the transaction that fires its job (committed with a full
// sync). Just before a provider is called the attempt is committed as `sending`, again with a full
// sync, so a crash between the call and its outcome leaves a message the restart knows it cannot
// resend. docs/channels.md tells the whole story.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

enum class MessageState { intent, sending, sent, failed, unknown, cancelled };
std::string_view message_state_name(MessageState state);

// A message waiting for a channel.
struct OutgoingMessage {
  std::int64_t id = 0;
  std::int64_t job_id = 0;
  std::string rule_id;
  std::int64_t customer_id = 0;
  std::optional<std::string> customer_pos_id;
  std::string channel, recipient;
  std::optional<std::string> subject;
  std::string body;
  Seconds created_at{};
  int attempts = 0;                            // attempts made so far
  std::optional<std::string> idempotency_key;  // kept from an earlier attempt
};

// Intents on `channels` (names) whose next attempt may start at `now`, oldest first.
Result<std::vector<OutgoingMessage>> messages_ready(sqlite::Db& db, Seconds now,
                                                    std::span<const std::string> channels, int limit);
// The earliest moment an intent on `channels` waits for (a retry); nullopt when none waits.
Result<std::optional<Seconds>> next_attempt_due(sqlite::Db& db, std::span<const std::string> channels);

// intent -> sent in one step, for a channel whose delivery is its own record (the file outbox).
Status mark_sent(sqlite::Db& db, std::span<const std::int64_t> ids, std::string_view sender, Seconds now);

// intent -> sending: one more attempt by `sender`, with `idempotency_key` when the provider
// dedupes by it. False when the message is no longer an intent. Commit it with a full sync
// (DurableCommits) before calling the provider.
Result<bool> begin_attempt(sqlite::Db& db, std::int64_t id, std::string_view sender,
                           const std::optional<std::string>& idempotency_key, Seconds now);
// sending -> sent, with the provider's id of the message when it gave one.
Status record_sent(sqlite::Db& db, std::int64_t id, const std::optional<std::string>& provider_id,
                   Seconds now);
// sending -> failed, with the provider's reason.
Status record_failed(sqlite::Db& db, std::int64_t id, std::string_view reason);
// sending -> intent, to be tried again from `next_at` (a retryable failure, or an attempt that
// never left the machine).
Status record_retry(sqlite::Db& db, std::int64_t id, std::string_view reason, Seconds next_at);
// sending -> unknown: the request may have reached the provider; it is never resent automatically.
Status record_unknown(sqlite::Db& db, std::int64_t id, std::string_view reason);

// intent -> cancelled, with a decision for the message's job (`code`, e.g. "opted_out", and
// `detail`) so that `regua-agent why` tells the customer's story to its end.
Status cancel_message(sqlite::Db& db, const OutgoingMessage& m, std::string_view code,
                      std::string_view detail, Seconds now);

// At start-up, before any attempt: what a crash left in `sending`. Attempts that carried an
// idempotency key go back to intent (the retry carries the same key); the others become unknown.
struct InterruptedSends {
  std::int64_t unknown = 0;
  std::int64_t retried = 0;
};
Result<InterruptedSends> recover_interrupted_sends(sqlite::Db& db);

// A delivery receipt: `status` as the provider wrote it, `delivery` what it means here
// (delivered, read or failed; empty for an intermediate status such as "queued"). Recorded in
// message_receipts; messages.delivery only moves forward (a late "delivered" never undoes "read").
struct Receipt {
  std::int64_t message_id = 0;
  std::string provider;
  std::string status;
  std::string delivery;
  std::optional<std::string> error;
};
Status record_receipt(sqlite::Db& db, const Receipt& receipt, Seconds now);

// The message a provider's callback names: by our id, else by the provider's id. nullopt when this
// ledger has no such message (sent by another provider or another store).
Result<std::optional<std::int64_t>> find_message(sqlite::Db& db, std::optional<std::int64_t> id,
                                                 std::string_view provider, std::string_view provider_id);

}  // namespace regua
