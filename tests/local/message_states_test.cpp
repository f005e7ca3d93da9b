// The message send state machine on a real ledger (migration 8): intent -> sending -> sent |
// failed | intent again | unknown; interrupted sends found at start-up; cancellations by the
// send-time check with their decision; receipts that only move forward; and the upgrade of a
// ledger that already had messages.

#include <gtest/gtest.h>

#include "local/identity/consents.hpp"
#include "local/ledger/migrations.hpp"
#include "local/scheduler/messages.hpp"
#include "local/scheduler/send_check.hpp"
#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

using test::at;

class MessageStatesTest : public test::LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    ASSERT_TRUE(
        ledger->db()
            .exec("INSERT INTO customers (id, pos_id, name, phone, phone_e164, phone_kind, email, "
                  "email_valid, info_at, created_at) VALUES "
                  "(1, 'C-1', 'Ana', '11987654321', '+5511987654321', 'mobile', 'ana@example.com', 1, 0, 0),"
                  "(2, 'C-2', 'Bia', '11912345678', '+5511912345678', 'mobile', NULL, 0, 0, 0)")
            .ok());
  }

  std::int64_t add_intent(std::int64_t customer, const std::string& channel = "sms",
                          const std::string& recipient = "+5511987654321") {
    const std::string job = std::to_string(++jobs_);
    auto s = ledger->db().exec(
        "INSERT INTO jobs (id, rule_id, customer_id, occurrence, occurred_at, planned_at, due_at, priority, "
        "action, channel, state, created_at) VALUES (" +
        job + ", 'rating-1h', " + std::to_string(customer) + ", 'sale:S-" + job +
        "', 0, 0, 0, 50, 'message', '" + channel + "', 'fired', 0)");
    EXPECT_TRUE(s.ok()) << s.error().message;
    MessageLog log;
    auto created = MessageLog::create(ledger->db());
    EXPECT_TRUE(created.ok());
    log = std::move(*created);
    NewMessage m;
    m.job_id = jobs_;
    m.customer_id = customer;
    m.rule_id = "rating-1h";
    m.channel = channel;
    m.recipient = recipient;
    m.body = "Oi!";
    auto id = log.record_intent(m, clock.now());
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  OutgoingMessage ready_one(std::int64_t id) {
    const std::vector<std::string> all{"sms", "whatsapp", "email"};
    auto ready = messages_ready(ledger->db(), clock.now(), all, 100);
    EXPECT_TRUE(ready.ok());
    for (auto& m : *ready) {
      if (m.id == id) return m;
    }
    ADD_FAILURE() << "message " << id << " is not ready";
    return {};
  }

  std::string state(std::int64_t id) {
    auto stmt = ledger->db().prepare("SELECT state FROM messages WHERE id = ?1");
    stmt->bind(1, id);
    EXPECT_TRUE(*stmt->step());
    return std::string(stmt->text(0));
  }

  std::int64_t jobs_ = 0;
};

TEST_F(MessageStatesTest, AnAttemptGoesFromIntentToSendingToSent) {
  const auto id = add_intent(1);
  auto began = begin_attempt(ledger->db(), id, "twilio", std::nullopt, clock.now());
  ASSERT_TRUE(began.ok()) << began.error().message;
  EXPECT_TRUE(*began);
  EXPECT_EQ(state(id), "sending");
  auto again = begin_attempt(ledger->db(), id, "twilio", std::nullopt, clock.now());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again) << "a message being sent is not claimed twice";
  const std::vector<std::string> sms{"sms"};
  EXPECT_TRUE(messages_ready(ledger->db(), clock.now(), sms, 10)->empty());

  ASSERT_TRUE(record_sent(ledger->db(), id, std::string("SM0001"), clock.now()).ok());
  EXPECT_EQ(state(id), "sent");
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE provider_id = 'SM0001' AND sender = 'twilio' AND "
                  "attempts = 1"),
            1);
  EXPECT_FALSE(record_failed(ledger->db(), id, "late").ok()) << "an outcome needs a message being sent";
  auto found = find_message(ledger->db(), std::nullopt, "twilio", "SM0001");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, std::optional<std::int64_t>(id));
  EXPECT_EQ(*find_message(ledger->db(), id, "whatsapp_cloud", ""), std::nullopt)
      << "sent by another provider";
}

TEST_F(MessageStatesTest, ARetryWaitsForItsMomentAndAFailureKeepsItsReason) {
  const auto id = add_intent(1);
  ASSERT_TRUE(*begin_attempt(ledger->db(), id, "twilio", std::nullopt, clock.now()));
  ASSERT_TRUE(
      record_retry(ledger->db(), id, "Twilio answered 429", clock.now() + std::chrono::seconds{30}).ok());
  EXPECT_EQ(state(id), "intent");
  const std::vector<std::string> sms{"sms"};
  EXPECT_TRUE(messages_ready(ledger->db(), clock.now(), sms, 10)->empty()) << "not before its retry moment";
  auto next = next_attempt_due(ledger->db(), sms);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, std::optional<Seconds>(clock.now() + std::chrono::seconds{30}));
  clock.advance(std::chrono::seconds{30});
  auto m = ready_one(id);
  EXPECT_EQ(m.attempts, 1);
  ASSERT_TRUE(*begin_attempt(ledger->db(), id, "twilio", std::nullopt, clock.now()));
  ASSERT_TRUE(record_failed(ledger->db(), id, "error 21211: invalid 'To'").ok());
  EXPECT_EQ(state(id), "failed");
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE error LIKE '%21211%' AND attempts = 2"), 1);
}

TEST_F(MessageStatesTest, InterruptedSendsBecomeUnknownUnlessTheyCarriedAnIdempotencyKey) {
  const auto plain = add_intent(1);
  const auto keyed = add_intent(2, "sms", "+5511912345678");
  const auto waiting = add_intent(1);
  ASSERT_TRUE(*begin_attempt(ledger->db(), plain, "twilio", std::nullopt, clock.now()));
  ASSERT_TRUE(*begin_attempt(ledger->db(), keyed, "webhook", std::string("centro-2"), clock.now()));
  auto recovered = recover_interrupted_sends(ledger->db());
  ASSERT_TRUE(recovered.ok()) << recovered.error().message;
  EXPECT_EQ(recovered->unknown, 1);
  EXPECT_EQ(recovered->retried, 1);
  EXPECT_EQ(state(plain), "unknown");
  EXPECT_EQ(state(keyed), "intent");
  EXPECT_EQ(state(waiting), "intent");
  EXPECT_EQ(ready_one(keyed).idempotency_key, std::optional<std::string>("centro-2"))
      << "the retry carries it";
  EXPECT_FALSE(*begin_attempt(ledger->db(), plain, "twilio", std::nullopt, clock.now())) << "never resent";
}

TEST_F(MessageStatesTest, TheSendTimeCheckRefusesAnOptOutAGoneCustomerAndAChangedNumber) {
  const auto fine = add_intent(1);
  EXPECT_FALSE(*check_before_send(ledger->db(), ready_one(fine)));

  const auto email = add_intent(1, "email", "ana@example.com");
  EXPECT_FALSE(*check_before_send(ledger->db(), ready_one(email)));

  ASSERT_TRUE(record_consent(ledger->db(), 1, Channel::sms, false, "inbound:sms", clock.now()).ok());
  auto refusal = check_before_send(ledger->db(), ready_one(fine));
  ASSERT_TRUE(refusal.ok());
  ASSERT_TRUE(*refusal);
  EXPECT_EQ((*refusal)->code, "opted_out");
  EXPECT_FALSE(*check_before_send(ledger->db(), ready_one(email))) << "an opt-out is per channel";

  const auto changed = add_intent(2, "sms", "+5511900000000");
  refusal = check_before_send(ledger->db(), ready_one(changed));
  ASSERT_TRUE(*refusal);
  EXPECT_EQ((*refusal)->code, "contact_changed");
  ASSERT_TRUE(ledger->db().exec("UPDATE customers SET email = NULL, email_valid = 0 WHERE id = 1").ok());
  refusal = check_before_send(ledger->db(), ready_one(email));
  ASSERT_TRUE(*refusal);
  EXPECT_EQ((*refusal)->code, "contact_changed") << "an erased address";

  const auto gone = add_intent(2, "sms", "+5511912345678");
  auto m = ready_one(gone);
  m.customer_id = 99;
  refusal = check_before_send(ledger->db(), m);
  ASSERT_TRUE(*refusal);
  EXPECT_EQ((*refusal)->code, "customer_gone");
}

TEST_F(MessageStatesTest, ACancelledMessageGetsADecisionForWhy) {
  const auto id = add_intent(1);
  ASSERT_TRUE(
      cancel_message(ledger->db(), ready_one(id), "opted_out", "the customer opted out of sms", clock.now())
          .ok());
  EXPECT_EQ(state(id), "cancelled");
  EXPECT_EQ(count("SELECT count(*) FROM decisions WHERE decision = 'cancelled' AND reason = 'opted_out' AND "
                  "detail = 'not sent: the customer opted out of sms' AND job_id = 1"),
            1);
}

TEST_F(MessageStatesTest, ReceiptsAreAllKeptAndTheDeliveryOnlyMovesForward) {
  const auto id = add_intent(1);
  ASSERT_TRUE(*begin_attempt(ledger->db(), id, "whatsapp_cloud", std::nullopt, clock.now()));
  ASSERT_TRUE(record_sent(ledger->db(), id, std::string("wamid.1"), clock.now()).ok());
  ASSERT_TRUE(
      record_receipt(ledger->db(), {id, "whatsapp_cloud", "sent", "", std::nullopt}, clock.now()).ok());
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE delivery IS NULL"), 1);
  ASSERT_TRUE(
      record_receipt(ledger->db(), {id, "whatsapp_cloud", "read", "read", std::nullopt}, clock.now()).ok());
  ASSERT_TRUE(record_receipt(ledger->db(), {id, "whatsapp_cloud", "delivered", "delivered", std::nullopt},
                             clock.now())
                  .ok());
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE delivery = 'read'"), 1)
      << "a late delivered does not undo read";
  EXPECT_EQ(count("SELECT count(*) FROM message_receipts WHERE message_id = " + std::to_string(id)), 3);
}

TEST(MessagesMigration, AnOlderLedgerKeepsItsMessagesAndGainsTheNewStates) {
  test::TempDir dir;
  ManualClock clock(at("2026-03-01T12:00:00Z"));
  const auto path = dir / "ledger.db";
  {
    auto db = sqlite::Db::open(path, sqlite::OpenMode::read_write_create);
    ASSERT_TRUE(db.ok());
    for (const auto& m : ledger_migrations()) {
      if (m.version > 7) break;
      ASSERT_TRUE(db->exec(m.sql).ok()) << m.version;
    }
    ASSERT_TRUE(
        db->exec("PRAGMA user_version = 7; PRAGMA application_id = 1380406593;"
                 "INSERT INTO ledger_info (key, value) VALUES ('store_id', 'centro');"
                 "INSERT INTO customers (id, pos_id, info_at, created_at) VALUES (1, 'C-1', 0, 0);"
                 "INSERT INTO jobs (id, rule_id, customer_id, occurrence, occurred_at, planned_at, due_at, "
                 "priority, action, channel, state, created_at) VALUES (1, 'rating-1h', 1, 'sale:S-1', 0, 0, "
                 "0, 50, 'message', 'sms', 'fired', 0), (2, 'rating-1h', 1, 'sale:S-2', 0, 0, 0, 50, "
                 "'message', 'sms', 'fired', 0);"
                 "INSERT INTO messages (id, job_id, customer_id, rule_id, channel, recipient, body, state, "
                 "created_at, sent_at, sender) VALUES (7, 1, 1, 'rating-1h', 'sms', '+5511987654321', 'Oi', "
                 "'sent', 5, 6, 'file'), (8, 2, 1, 'rating-1h', 'sms', '+5511987654321', 'Oi', 'intent', "
                 "9, NULL, NULL);"
                 "INSERT INTO decisions (job_id, customer_id, rule_id, action, channel, at, decision, "
                 "reason, detail, message_id) VALUES (1, 1, 'rating-1h', 'message', 'sms', 5, 'fired', "
                 "'due', 'x', 7)")
            .ok());
  }
  auto ledger = Ledger::open(LedgerOptions{path, "centro"}, clock);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  EXPECT_EQ(ledger->schema_version(), latest_ledger_version());
  auto& db = ledger->db();
  EXPECT_EQ(
      *db.query_int("SELECT count(*) FROM messages WHERE id = 7 AND state = 'sent' AND sender = 'file' AND "
                    "sent_at = 6 AND attempts = 0"),
      1);
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM messages WHERE id = 8 AND state = 'intent'"), 1);
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM pragma_foreign_key_check"), 0)
      << "decisions still point at their message";
  EXPECT_TRUE(db.exec("UPDATE messages SET state = 'sending' WHERE id = 8").ok());
  EXPECT_FALSE(db.exec("UPDATE messages SET state = 'lost' WHERE id = 8").ok()) << "the CHECK holds";
  EXPECT_FALSE(db.exec("UPDATE messages SET delivery = 'maybe' WHERE id = 8").ok());
  EXPECT_EQ(*db.query_int(
                "SELECT count(*) FROM sqlite_master WHERE name IN ('messages_to_send', 'messages_sending', "
                "'messages_by_customer', 'messages_by_provider_id', 'message_receipts', "
                "'callback_refusals')"),
            6);
}

}  // namespace
}  // namespace regua
