// The `file` channel on a real ledger: every intent written once, in order, then marked sent; and
// the crash windows: a line appended but not recorded, a line cut short, an outbox that is not ours.

#include "agent/channels/file_channel.hpp"

#include <gtest/gtest.h>

#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

class FileChannelTest : public test::LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    ASSERT_TRUE(
        ledger->db()
            .exec("INSERT INTO customers (id, pos_id, name, phone_e164, phone_kind, info_at, created_at) "
                  "VALUES (1, 'C-1', 'Ana', '+5511987654321', 'mobile', 0, 0), "
                  "(2, NULL, 'Bia', '+5511987654321', 'mobile', 0, 0)")
            .ok());
  }

  void add_intent(std::int64_t id, std::int64_t customer, const std::string& body) {
    const std::string n = std::to_string(id);
    auto s = ledger->db().exec(
        "INSERT INTO jobs (id, rule_id, customer_id, occurrence, occurred_at, planned_at, due_at, priority, "
        "action, channel, state, created_at) VALUES (" +
        n + ", 'rating-1h', " + std::to_string(customer) + ", 'sale:S-" + n +
        "', 0, 0, 0, 50, 'message', 'sms', 'fired', 0);"
        "INSERT INTO messages (id, job_id, customer_id, rule_id, channel, recipient, body, state, "
        "created_at) "
        "VALUES (" +
        n + ", " + n + ", " + std::to_string(customer) + ", 'rating-1h', 'sms', '+5511987654321', '" + body +
        "', 'intent', 0)");
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  std::int64_t intents() { return count("SELECT count(*) FROM messages WHERE state = 'intent'"); }

  FixedStoreZone zone{std::chrono::hours{-3}};
  std::filesystem::path outbox = dir / "saida" / "outbox.jsonl";
};

TEST_F(FileChannelTest, WritesEachIntentOnceInOrderThenMarksItSent) {
  add_intent(1, 1, "Oi, Ana!");
  add_intent(2, 2, "Oi!");
  FileChannel channel(outbox, zone);
  auto sent = channel.deliver(*ledger);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 2);
  EXPECT_EQ(intents(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE state = 'sent' AND sender = 'file'"), 2);
  EXPECT_EQ(
      test::read_file(outbox),
      R"({"id":1,"at":"2026-03-01T09:00:00-03:00","rule":"rating-1h","customer":"C-1","channel":"sms","recipient":"+5511987654321","subject":null,"body":"Oi, Ana!"}
{"id":2,"at":"2026-03-01T09:00:00-03:00","rule":"rating-1h","customer":null,"channel":"sms","recipient":"+5511987654321","subject":null,"body":"Oi!"}
)");
  auto again = channel.deliver(*ledger);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_F(FileChannelTest, AnOptOutThatCameAfterTheFiringIsHonouredAndOnlyTheChannelsAskedForAreWritten) {
  add_intent(1, 1, "Oi, Ana!");
  add_intent(2, 2, "Oi!");
  ASSERT_TRUE(ledger->db()
                  .exec("INSERT INTO consents (customer_id, channel, granted, source, at) VALUES "
                        "(1, 'sms', 0, 'inbound:sms', 0)")
                  .ok());
  FileChannel channel(outbox, zone);
  const std::vector<std::string> email_only{"email"};
  auto none = channel.deliver(*ledger, email_only);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(*none, 0) << "the file takes only the channels given";
  EXPECT_EQ(intents(), 2);
  auto sent = channel.deliver(*ledger);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 1);
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE id = 1 AND state = 'cancelled'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM decisions WHERE job_id = 1 AND decision = 'cancelled' AND reason = "
                  "'opted_out'"),
            1);
  const auto text = test::read_file(outbox);
  EXPECT_EQ(text.find("Oi, Ana!"), std::string::npos) << text;
  EXPECT_NE(text.find("\"id\":2"), std::string::npos) << text;
}

TEST_F(FileChannelTest, AnIntentWhoseLineIsAlreadyThereIsNotWrittenAgain) {
  add_intent(1, 1, "Oi, Ana!");
  FileChannel channel(outbox, zone);
  ASSERT_TRUE(channel.deliver(*ledger).ok());
  const auto before = test::read_file(outbox);
  // The crash came after the append, before the mark.
  ASSERT_TRUE(ledger->db().exec("UPDATE messages SET state = 'intent'").ok());
  add_intent(2, 1, "Segunda");
  auto sent = FileChannel(outbox, zone).deliver(*ledger);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 1) << "only the new one";
  EXPECT_EQ(intents(), 0);
  const auto after = test::read_file(outbox);
  ASSERT_EQ(after.substr(0, before.size()), before);
  EXPECT_NE(after.find("\"id\":2"), std::string::npos);
  EXPECT_EQ(std::count(after.begin(), after.end(), '\n'), 2);
}

TEST_F(FileChannelTest, ATornLastLineIsCutOffAndWrittenWhole) {
  add_intent(1, 1, "Oi, Ana!");
  add_intent(2, 1, "Segunda");
  FileChannel channel(outbox, zone);
  ASSERT_TRUE(channel.deliver(*ledger).ok());
  const auto whole = test::read_file(outbox);
  const auto first_end = whole.find('\n') + 1;
  test::write_file(outbox, whole.substr(0, first_end + 20));  // the second line half-written
  ASSERT_TRUE(ledger->db().exec("UPDATE messages SET state = 'intent' WHERE id = 2").ok());
  auto last = channel.last_written_id();
  ASSERT_TRUE(last.ok()) << last.error().message;
  EXPECT_EQ(*last, 1);
  EXPECT_EQ(test::read_file(outbox), whole.substr(0, first_end));
  auto sent = channel.deliver(*ledger);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(*sent, 1);
  EXPECT_EQ(test::read_file(outbox), whole);
}

TEST_F(FileChannelTest, AnOutboxEndingWithSomethingElseIsAnErrorAndNothingIsLost) {
  add_intent(1, 1, "Oi, Ana!");
  test::write_file(outbox, "not ours\n");
  auto sent = FileChannel(outbox, zone).deliver(*ledger);
  ASSERT_FALSE(sent.ok());
  EXPECT_NE(sent.error().message.find(outbox.string()), std::string::npos) << sent.error().message;
  EXPECT_NE(sent.error().message.find("move the file away"), std::string::npos) << sent.error().message;
  EXPECT_EQ(intents(), 1) << "the message waits";
  EXPECT_EQ(test::read_file(outbox), "not ours\n");
}

}  // namespace
}  // namespace regua
