// Sync lag at the store: the heartbeat says when its oldest record still waiting for the hub's ack
// was written (store clock), from the marks the sync thread keeps (sync/outbox_age.hpp), and which
// rule pack the store runs and the newest it refused (what HQ's adoption view reads).

#include "sync/outbox_age.hpp"

#include <gtest/gtest.h>

#include "local/ledger/ledger_info.hpp"
#include "local/ledger/outbox.hpp"
#include "sync/record_builder.hpp"
#include "sync/rule_pack.hpp"
#include "tests/support/identity_fixture.hpp"

namespace regua::test {
namespace {

class OutboxAgeTest : public IdentityTest {
 protected:
  void SetUp() override {
    IdentityTest::SetUp();
    auto b = sync::RecordBuilder::create(ledger->db(), sync::PiiSettings{sync::PiiPolicy::none, {}}, zone);
    ASSERT_TRUE(b.ok());
    builder = std::move(*b);
  }

  void sales(int n, int from) {
    ASSERT_TRUE(ingestor->begin().ok());
    for (int i = from; i < from + n; ++i)
      ASSERT_TRUE(ingestor->apply(sale("S-" + std::to_string(i), 1000), "pdv").ok());
    ASSERT_TRUE(ingestor->commit().ok());
  }

  void mark() { ASSERT_TRUE(sync::mark_outbox_progress(ledger->db(), clock.now()).ok()); }

  // The heartbeat record as it would be published now.
  nlohmann::json heartbeat() {
    EXPECT_TRUE(enqueue_outbox(ledger->db(), OutboxKind::heartbeat, 0).ok());
    auto seq = ledger->db().query_int("SELECT max(seq) FROM outbox");
    EXPECT_TRUE(seq.ok());
    auto text = builder->build(OutboxRow{*seq, OutboxKind::heartbeat, 0}, clock.now());
    EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().message);
    return nlohmann::json::parse(*text);
  }

  std::int64_t now_s() const { return clock.now().time_since_epoch().count(); }

  FixedStoreZone zone{std::chrono::hours(-3)};
  std::unique_ptr<sync::RecordBuilder> builder;
};

TEST_F(OutboxAgeTest, TheHeartbeatCarriesWhenItsOldestWaitingRecordWasWritten) {
  auto beat = heartbeat();
  EXPECT_TRUE(beat["oldest_waiting_at"].is_null()) << "only the heartbeat itself waits";
  ASSERT_TRUE(acknowledge_outbox(ledger->db(), beat["seq"].get<std::int64_t>(), clock.now()).ok());

  sales(3, 0);
  const auto first_written = now_s();
  auto first_three = ledger->db().query_int("SELECT max(seq) FROM outbox");
  ASSERT_TRUE(first_three.ok());
  mark();
  clock.advance(std::chrono::seconds(40));
  sales(2, 3);
  mark();
  clock.advance(std::chrono::seconds(50));
  beat = heartbeat();
  EXPECT_EQ(beat["oldest_waiting_at"], first_written);
  EXPECT_EQ(beat["clock"].get<std::int64_t>() - beat["oldest_waiting_at"].get<std::int64_t>(), 90)
      << "the sync lag the hub will show";

  // The hub acknowledges the first three sales: the oldest waiting is now of the second mark.
  ASSERT_TRUE(acknowledge_outbox(ledger->db(), *first_three, clock.now()).ok());
  mark();
  beat = heartbeat();
  EXPECT_EQ(beat["oldest_waiting_at"], first_written + 40);

  // Everything acknowledged: nothing waits, and the marks are forgotten.
  auto all = ledger->db().query_int("SELECT max(seq) FROM outbox");
  ASSERT_TRUE(all.ok());
  ASSERT_TRUE(acknowledge_outbox(ledger->db(), *all, clock.now()).ok());
  mark();
  EXPECT_EQ(count("SELECT count(*) FROM ledger_info WHERE key = 'sync.outbox_marks' AND value = '[]'"), 1);
  beat = heartbeat();
  EXPECT_TRUE(beat["oldest_waiting_at"].is_null());
}

TEST_F(OutboxAgeTest, RecordsNewerThanEveryMarkCountFromNow) {
  sales(1, 0);
  auto oldest = sync::oldest_waiting_at(ledger->db(), 1'000'000, clock.now());
  ASSERT_TRUE(oldest.ok());
  EXPECT_EQ(*oldest, std::optional<std::int64_t>(now_s()));
}

TEST_F(OutboxAgeTest, AWeekOfMarksStaysBoundedAndKeepsTheStartExact) {
  const auto start = now_s();
  for (int i = 0; i < 600; ++i) {
    sales(1, i);
    mark();
    clock.advance(std::chrono::minutes(17));
  }
  auto text = read_ledger_info(ledger->db(), "sync.outbox_marks");
  ASSERT_TRUE(text.ok());
  ASSERT_TRUE(text->has_value());
  const auto marks = nlohmann::json::parse(**text);
  EXPECT_LE(marks.size(), sync::kMaxOutboxMarks);
  EXPECT_EQ(marks.front()[1], start);
  auto oldest = sync::oldest_waiting_at(ledger->db(), 1'000'000, clock.now());
  ASSERT_TRUE(oldest.ok());
  EXPECT_EQ(*oldest, std::optional<std::int64_t>(start));
}

TEST_F(OutboxAgeTest, TheHeartbeatSaysWhichRulePackRunsAndTheNewestRefused) {
  auto beat = heartbeat();
  EXPECT_EQ(beat["rules_version"], 0);
  EXPECT_TRUE(beat["rules_refused"].is_null());
  ASSERT_TRUE(
      ledger->db()
          .exec("INSERT INTO rule_packs (version, received_at, status, reason, body, signature) VALUES "
                "(3, 100, 'applied', 'applied', '', 'sig'), (5, 200, 'refused', 'bad signature: x', NULL, "
                "NULL)")
          .ok());
  beat = heartbeat();
  EXPECT_EQ(beat["rules_version"], 3);
  EXPECT_EQ(beat["rules_refused"],
            (nlohmann::json{{"version", 5}, {"reason", "bad signature: x"}, {"at", 200}}));
}

}  // namespace
}  // namespace regua::test
