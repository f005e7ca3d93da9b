// The ledger's outbox (migration 10): one small row per change, in the change's transaction, a
// gapless sequence never reused, acknowledged rows deleted, bounded by its per-kind policy.

#include "local/ledger/outbox.hpp"

#include <gtest/gtest.h>

#include "local/identity/consents.hpp"
#include "local/ledger/migrations.hpp"
#include "tests/support/identity_fixture.hpp"

namespace regua::test {
namespace {

class OutboxTest : public IdentityTest {
 protected:
  std::vector<std::string> kinds_after(std::int64_t seq) {
    auto rows = read_outbox(ledger->db(), seq, 1000);
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> out;
    for (const auto& r : *rows)
      out.push_back(std::string(outbox_kind_name(r.kind)));
    return out;
  }
};

TEST_F(OutboxTest, ASaleAddsOneRowAndANewCustomerOneMore) {
  apply_all({sale("S-1", 1000)});
  EXPECT_EQ(kinds_after(0), (std::vector<std::string>{"sale"}));
  apply_all({sale("S-2", 1000, Person{"C-1", "Ana", "(11) 98765-4321"}.info())});
  EXPECT_EQ(kinds_after(1), (std::vector<std::string>{"sale", "customer"}));
  // A repeat customer's sale with the same details: only the sale.
  apply_all({sale("S-3", 1000, Person{"C-1", "Ana", "(11) 98765-4321"}.info(), "2026-03-02T14:00:00Z")});
  EXPECT_EQ(kinds_after(3), (std::vector<std::string>{"sale"}));
  // A replayed sale: nothing.
  apply_all({sale("S-3", 1000, Person{"C-1", "Ana", "(11) 98765-4321"}.info(), "2026-03-02T14:00:00Z")});
  EXPECT_EQ(count("SELECT max(seq) FROM outbox"), 4);
}

TEST_F(OutboxTest, CancellationsAndConsentsAreChangesToo) {
  apply_all({sale("S-1", 1000, Person{"C-1", "Ana", "(11) 98765-4321"}.info())});
  Cancel c;
  c.sale_pos_id = "S-1";
  c.cancelled_at = at("2026-03-01T15:00:00Z");
  apply_all({c});
  const auto customer = count("SELECT id FROM customers");
  auto txn = sqlite::Transaction::begin(ledger->db());
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(record_consent(ledger->db(), customer, Channel::sms, false, "pos", clock.now()).ok());
  ASSERT_TRUE(txn->commit().ok());
  EXPECT_EQ(kinds_after(0), (std::vector<std::string>{"sale", "customer", "sale", "customer"}));
}

TEST_F(OutboxTest, AckDeletesWhatItCoversButTheSequenceIsNeverReused) {
  apply_all({sale("S-1", 1000), sale("S-2", 1000), sale("S-3", 1000)});
  auto acked = acknowledge_outbox(ledger->db(), 3, clock.now());
  ASSERT_TRUE(acked.ok()) << acked.error().message;
  EXPECT_EQ(*acked, 3);
  auto depth = outbox_depth(ledger->db());
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(depth->waiting, 0);
  EXPECT_EQ(depth->acked, 3);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 1) << "the newest row stays to hold the sequence";
  reopen();  // the ack is on disk
  make_ingestor();
  apply_all({sale("S-4", 1000)});
  auto rows = read_outbox(ledger->db(), 3, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].seq, 4) << "after a full ack the next row continues the sequence";
  // A stale ack changes nothing.
  acked = acknowledge_outbox(ledger->db(), 2, clock.now());
  ASSERT_TRUE(acked.ok());
  EXPECT_EQ(*acked, 3);
  EXPECT_EQ(outbox_depth(ledger->db())->waiting, 1);
}

TEST_F(OutboxTest, AHeartbeatReplacesTheOneWaiting) {
  ASSERT_TRUE(enqueue_outbox(ledger->db(), OutboxKind::heartbeat, 0).ok());
  apply_all({sale("S-1", 1000)});
  ASSERT_TRUE(enqueue_outbox(ledger->db(), OutboxKind::heartbeat, 0).ok());
  ASSERT_TRUE(enqueue_outbox(ledger->db(), OutboxKind::heartbeat, 0).ok());
  EXPECT_EQ(kinds_after(0), (std::vector<std::string>{"sale", "heartbeat"}));
}

TEST_F(OutboxTest, OverItsLimitStatesCoalesceDroppablesGoAndSalesStay) {
  // 30 updates of one customer, 20 heartbeat-free messages' worth of segment rows, 40 sales.
  for (int i = 0; i < 30; ++i)
    ASSERT_TRUE(enqueue_outbox(ledger->db(), OutboxKind::customer, 7).ok());
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(enqueue_outbox(ledger->db(), OutboxKind::segment, 100 + i).ok());
  for (int i = 0; i < 40; ++i)
    apply_all({sale("S-" + std::to_string(i), 1000)});
  auto trim = enforce_outbox_bounds(ledger->db(), 50);
  ASSERT_TRUE(trim.ok()) << trim.error().message;
  EXPECT_EQ(trim->coalesced, 29);
  EXPECT_EQ(trim->dropped, 11);  // 61 after coalescing: 11 of the 20 segment rows, oldest first
  EXPECT_EQ(trim->waiting, 50);
  EXPECT_FALSE(trim->over_limit);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'sale'"), 40);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'customer'"), 1);
  EXPECT_EQ(count("SELECT min(ref) FROM outbox WHERE kind = 'segment'"), 111);

  // Only sales over the limit: nothing more can go; the alarm says so and ingest goes on.
  trim = enforce_outbox_bounds(ledger->db(), 30);
  ASSERT_TRUE(trim.ok());
  EXPECT_TRUE(trim->over_limit);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'sale'"), 40);
  apply_all({sale("S-after", 1000)});
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'sale'"), 41);
}

// A ledger an older Régua wrote (schema 7, built from migrations 1 to 7) queues its history when it
// is upgraded: customers, then sales, so that the hub gets everything once the store syncs.
TEST(OutboxUpgrade, MigrationTenQueuesTheHistoryOfALedger) {
  TempDir dir;
  const auto file = dir / "ledger.db";
  ASSERT_NO_FATAL_FAILURE(test::write_old_ledger(
      file, 7,
      "INSERT INTO customers (id, pos_id, info_at, created_at) VALUES (1, 'C-1', 0, 0); "
      "INSERT INTO sales (pos_id, customer_id, sold_at, total_cents, source, "
      "ingested_at) VALUES ('S-1', 1, 1769940000, 1000, 'pdv', 0), ('S-2', NULL, 1770300000, "
      "500, 'pdv', 0)"));
  ManualClock clock(at("2026-03-01T12:00:00Z"));
  auto ledger = Ledger::open(LedgerOptions{file, "centro"}, clock);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  auto rows = read_outbox(ledger->db(), 0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].kind, OutboxKind::customer);
  EXPECT_EQ((*rows)[1].kind, OutboxKind::sale);
  EXPECT_EQ((*rows)[1].ref, 1);
  EXPECT_EQ((*rows)[2].ref, 2);
}

}  // namespace
}  // namespace regua::test
