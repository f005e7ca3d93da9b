// What the sync thread notes for `doctor` in a real ledger: since when the oldest record has waited
// for the hub (marks of sequence and time, dropped as the hub's ack passes them, thinned when a
// store stays offline for long), and the hub's clock as an ack carries it (an ack without it, from
// an older hub, still acknowledges and records nothing).

#include "sync/outbox_age.hpp"

#include <gtest/gtest.h>

#include "local/ledger/outbox.hpp"
#include "local/rules/store_zone.hpp"
#include "sync/hub_clock.hpp"
#include "sync/inbox.hpp"
#include "sync/protocol/envelope.hpp"
#include "sync/protocol/topics.hpp"
#include "sync/record_builder.hpp"
#include "tests/support/identity_fixture.hpp"

namespace regua::test {
namespace {

class OutboxAgeTest : public IdentityTest {
 protected:
  void sales(int n, int from) {
    ASSERT_TRUE(ingestor->begin().ok());
    for (int i = from; i < from + n; ++i)
      ASSERT_TRUE(ingestor->apply(sale("S-" + std::to_string(i), 1000), "pdv").ok());
    ASSERT_TRUE(ingestor->commit().ok());
  }
  void mark() { ASSERT_TRUE(sync::mark_outbox_time(ledger->db(), clock.now()).ok()); }
  sync::OutboxAge age() {
    auto a = sync::read_outbox_age(ledger->db());
    EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().message);
    return a.ok() ? *a : sync::OutboxAge{};
  }

  FixedStoreZone zone{std::chrono::hours(-3)};
};

TEST_F(OutboxAgeTest, TheOldestWaitingRecordIsDatedByTheFirstMarkThatReachesIt) {
  EXPECT_EQ(age().waiting, 0);
  mark();
  EXPECT_FALSE(age().oldest_since.has_value()) << "nothing waits: nothing to date";

  sales(3, 0);  // sequences 1..3
  EXPECT_EQ(age().waiting, 3);
  EXPECT_FALSE(age().oldest_since.has_value()) << "not noted yet";
  const auto first_mark = clock.now();
  mark();
  EXPECT_EQ(age().oldest_since, first_mark);

  // More sales later; marks at most a minute apart.
  clock.advance(std::chrono::seconds(30));
  sales(2, 3);  // 4..5
  mark();       // too soon after the last: no new mark
  clock.advance(std::chrono::minutes(10));
  sales(2, 5);  // 6..7
  const auto second_mark = clock.now();
  mark();
  EXPECT_EQ(age().oldest_since, first_mark) << "1..5 were there at the first mark";

  // The hub acknowledges 1..5: the oldest waiting is 6, first seen at the second mark.
  ASSERT_TRUE(acknowledge_outbox(ledger->db(), 5, clock.now()).ok());
  EXPECT_EQ(age().waiting, 2);
  EXPECT_EQ(age().oldest_since, second_mark);
  // ...also once the marks are tidied.
  clock.advance(std::chrono::minutes(1));
  mark();
  EXPECT_EQ(age().oldest_since, second_mark);

  // Everything acknowledged: nothing waits, and the next record is dated anew.
  ASSERT_TRUE(acknowledge_outbox(ledger->db(), 7, clock.now()).ok());
  mark();
  EXPECT_EQ(age().waiting, 0);
  clock.advance(std::chrono::hours(1));
  sales(1, 7);
  mark();
  EXPECT_EQ(age().oldest_since, clock.now());
}

TEST_F(OutboxAgeTest, MonthsOfflineKeepFewMarksAndTheOldestDateHolds) {
  sales(1, 0);
  const auto start = clock.now();
  mark();
  for (int i = 1; i <= 600; ++i) {  // a sale every 10 minutes for four days, noted each time
    clock.advance(std::chrono::minutes(10));
    sales(1, i);
    mark();
  }
  EXPECT_EQ(age().oldest_since, start) << "the oldest mark outlives the thinning";
  auto text = ledger->db().query_int("SELECT length(value) FROM ledger_info WHERE key = 'sync.outbox_marks'");
  ASSERT_TRUE(text.ok());
  EXPECT_LT(*text, 12 * 1024) << "bounded: at most 256 marks";
  // A record from the middle is dated no earlier than it was made (a later mark only makes it younger).
  ASSERT_TRUE(acknowledge_outbox(ledger->db(), 300, clock.now()).ok());
  const auto since = age().oldest_since;
  ASSERT_TRUE(since.has_value());
  EXPECT_GE(*since, start + std::chrono::minutes(10) * 300) << "sale 301 was made then";
  EXPECT_LE(*since, clock.now());
}

// The heartbeat carries the same date to the hub, which shows it as the store's sync lag.
TEST_F(OutboxAgeTest, TheHeartbeatTellsTheHubSinceWhenTheOldestRecordWaits) {
  auto b = sync::RecordBuilder::create(ledger->db(), sync::PiiSettings{sync::PiiPolicy::none, {}}, zone);
  ASSERT_TRUE(b.ok());
  const auto oldest_waiting_at = [&] {
    auto text = (*b)->build(OutboxRow{1000, OutboxKind::heartbeat, 0}, clock.now());
    EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().message);
    return text.ok() ? nlohmann::json::parse(*text)["oldest_waiting_at"] : nlohmann::json("no heartbeat");
  };
  EXPECT_TRUE(oldest_waiting_at().is_null()) << "nothing waits";

  sales(2, 0);
  EXPECT_EQ(oldest_waiting_at(), to_unix(clock.now())) << "newer than every mark: waiting since now";
  const auto made = clock.now();
  mark();
  clock.advance(std::chrono::minutes(45));
  EXPECT_EQ(oldest_waiting_at(), to_unix(made)) << "45 minutes of lag";

  ASSERT_TRUE(acknowledge_outbox(ledger->db(), 2, clock.now()).ok());
  EXPECT_TRUE(oldest_waiting_at().is_null()) << "the hub has everything";
}

TEST_F(OutboxAgeTest, TheHubsClockOnAnAckIsRecordedWithTheStoresTime) {
  auto b = sync::RecordBuilder::create(ledger->db(), sync::PiiSettings{sync::PiiPolicy::none, {}}, zone);
  ASSERT_TRUE(b.ok());
  sync::OutboxPublisher publisher(ledger->db(), **b, "centro", {}, clock);
  ASSERT_TRUE(publisher.start_session().ok());
  sync::Inbox inbox(ledger->db(), publisher, sync::InboxSettings{"rede", "centro", {}}, clock);
  const auto topic = sync::topic_for("rede", "centro", sync::Direction::down, "ack");

  // An older hub's ack: acknowledged, no clock recorded.
  ASSERT_TRUE(inbox.handle(topic, sync::encode_envelope("ack", {{"acked", 0}})).ok());
  auto heard = sync::read_hub_clock(ledger->db());
  ASSERT_TRUE(heard.ok());
  EXPECT_FALSE(heard->has_value());

  // The hub's clock is 20 minutes behind this store's.
  const auto hub = clock.now() - std::chrono::minutes(20);
  ASSERT_TRUE(
      inbox.handle(topic, sync::encode_envelope("ack", {{"acked", 0}, {"clock", to_unix(hub)}})).ok());
  heard = sync::read_hub_clock(ledger->db());
  ASSERT_TRUE(heard.ok() && heard->has_value());
  EXPECT_EQ((*heard)->hub, hub);
  EXPECT_EQ((*heard)->local, clock.now());
  EXPECT_EQ((*heard)->skew_s(), 20 * 60);
  EXPECT_EQ(count("SELECT count(*) FROM sync_parked"), 0);
}

}  // namespace
}  // namespace regua::test
