#include "local/ledger/ingest.hpp"

#include <gtest/gtest.h>

#include "local/ledger/counts.hpp"
#include "tests/support/fake_phones.hpp"
#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

using test::at;

class IngestTest : public test::LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    auto in = Ingestor::create(*ledger, phones);
    ASSERT_TRUE(in.ok()) << in.error().message;
    ingestor.emplace(std::move(*in));
  }

  void apply_all(std::initializer_list<Event> events) {
    ASSERT_TRUE(ingestor->begin().ok());
    for (const auto& e : events) {
      auto s = ingestor->apply(e, "pdv");
      ASSERT_TRUE(s.ok()) << s.error().message;
    }
    auto s = ingestor->commit();
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  static Sale sale(std::string id, std::string_view when, Cents total,
                   std::optional<CustomerInfo> customer = {}) {
    Sale s;
    s.pos_id = std::move(id);
    s.sold_at = at(when);
    s.total = total;
    s.customer = std::move(customer);
    return s;
  }

  static CustomerInfo ana() {
    CustomerInfo c;
    c.pos_id = "C-77";
    c.name = "Ana Souza";
    c.phone = "(11) 98765-4321";
    return c;
  }

  std::optional<std::string> customer_field(std::string_view field) {
    auto stmt =
        ledger->db().prepare("SELECT " + std::string(field) + " FROM customers WHERE pos_id = 'C-77'");
    EXPECT_TRUE(stmt.ok());
    auto row = stmt->step();
    if (!row.ok() || !*row) return std::nullopt;
    auto v = stmt->optional_text(0);
    stmt->reset();
    return v;
  }

  test::FakePhones phones;
  std::optional<Ingestor> ingestor;
};

TEST_F(IngestTest, StoresASaleWithItsCustomerItemsMoneyAndUtcTime) {
  Sale s = sale("S-1001", "2026-03-01T14:05:00-03:00", 12990, ana());
  s.items.push_back({"A1", "Camiseta", 1, 12990});
  s.items.push_back({"B2", "Meia", 2.5, 0});
  apply_all({s});
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 1);
  EXPECT_EQ(count("SELECT total_cents FROM sales WHERE pos_id = 'S-1001'"), 12990);
  EXPECT_EQ(count("SELECT sold_at FROM sales"), at("2026-03-01T17:05:00Z").time_since_epoch().count());
  EXPECT_EQ(count("SELECT ingested_at FROM sales"), clock.now().time_since_epoch().count());
  EXPECT_EQ(count("SELECT count(*) FROM sale_items"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM sale_items WHERE quantity = 2.5 AND sku = 'B2'"), 1);
  EXPECT_EQ(customer_field("name"), "Ana Souza");
  EXPECT_EQ(
      count("SELECT count(*) FROM sales s JOIN customers c ON c.id = s.customer_id WHERE c.pos_id = 'C-77'"),
      1);
  EXPECT_EQ(ingestor->committed().sales_added, 1);
}

TEST_F(IngestTest, AReplayedSaleIsANoOpEvenWithOtherData) {
  apply_all({sale("S-1", "2026-03-01T14:00:00-03:00", 1000, ana())});
  CustomerInfo changed = ana();
  changed.name = "Someone Else";
  apply_all({sale("S-1", "2026-03-02T14:00:00-03:00", 9999, changed)});
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 1);
  EXPECT_EQ(count("SELECT total_cents FROM sales"), 1000);
  EXPECT_EQ(customer_field("name"), "Ana Souza") << "a replay must not touch the customer either";
  EXPECT_EQ(ingestor->committed().sales_replayed, 1);
}

TEST_F(IngestTest, AnonymousSalesHaveNoCustomer) {
  apply_all({sale("S-1", "2026-03-01T14:00:00Z", 500)});
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE customer_id IS NULL"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 0);
}

TEST_F(IngestTest, CancelMarksTheSaleAndIsIdempotent) {
  apply_all({sale("S-1", "2026-03-01T14:00:00Z", 500)});
  apply_all({Cancel{"S-1", at("2026-03-01T15:00:00Z")}});
  apply_all({Cancel{"S-1", at("2026-03-01T16:00:00Z")}});
  EXPECT_EQ(count("SELECT cancelled_at FROM sales"), at("2026-03-01T15:00:00Z").time_since_epoch().count());
  EXPECT_EQ(ingestor->committed().cancels_applied, 1);
  EXPECT_EQ(ingestor->committed().cancels_replayed, 1);
}

TEST_F(IngestTest, ACancelBeforeItsSaleIsKeptAndAppliedWhenTheSaleArrives) {
  apply_all({Cancel{"S-9", at("2026-03-01T15:00:00Z")}});
  auto counts = count_ledger(ledger->db());
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending_cancels, 1);
  EXPECT_EQ(counts->cancelled, 0);
  apply_all({sale("S-9", "2026-03-01T14:00:00Z", 500)});
  counts = count_ledger(ledger->db());
  EXPECT_EQ(counts->pending_cancels, 0);
  EXPECT_EQ(counts->cancelled, 1);
  EXPECT_EQ(counts->sales, 1);
}

TEST_F(IngestTest, NewerCustomerNewsWinsAndOlderNewsOnlyFillsGaps) {
  apply_all({sale("S-2", "2026-03-10T10:00:00Z", 100, ana())});
  CustomerInfo older;
  older.pos_id = "C-77";
  older.name = "Ana S.";
  older.email = "ana@example.com";
  apply_all({sale("S-1", "2026-02-01T10:00:00Z", 100, older)});  // history imported after the fact
  EXPECT_EQ(customer_field("name"), "Ana Souza");
  EXPECT_EQ(customer_field("email"), "ana@example.com");

  CustomerInfo newer;
  newer.pos_id = "C-77";
  newer.phone = "11912345678";
  apply_all({CustomerUpdate{newer, at("2026-03-11T10:00:00Z")}});
  EXPECT_EQ(customer_field("phone"), "11912345678");
  EXPECT_EQ(customer_field("name"), "Ana Souza") << "absent fields leave what is known";
}

TEST_F(IngestTest, ConsentChangesKeepTheNewest) {
  CustomerInfo c = ana();
  c.consent = {{Channel::sms, false}};
  apply_all({CustomerUpdate{c, at("2026-03-05T10:00:00Z")}});
  c.consent = {{Channel::sms, true}};
  apply_all({CustomerUpdate{c, at("2026-03-01T10:00:00Z")}});  // older news
  EXPECT_EQ(count("SELECT granted FROM consents WHERE channel = 'sms'"), 0);
  c.consent = {{Channel::sms, true}, {Channel::email, false}};
  apply_all({CustomerUpdate{c, at("2026-03-06T10:00:00Z")}});
  EXPECT_EQ(count("SELECT granted FROM consents WHERE channel = 'sms'"), 1);
  EXPECT_EQ(count("SELECT granted FROM consents WHERE channel = 'email'"), 0);
}

TEST_F(IngestTest, QuarantineIsKeyedByFileIdentityOffsetAndContent) {
  InputPosition p{"pdv", "/pos/sales.jsonl", "1:2", 3, 120};
  ASSERT_TRUE(ingestor->begin().ok());
  ASSERT_TRUE(ingestor->quarantine(p, "{bad", "not valid JSON").ok());
  ASSERT_TRUE(ingestor->quarantine(p, "{bad", "not valid JSON").ok());  // the same line read again
  InputPosition other = p;
  other.byte_offset = 200;
  ASSERT_TRUE(ingestor->quarantine(other, "{bad", "not valid JSON").ok());  // the same text elsewhere
  ASSERT_TRUE(ingestor->commit().ok());
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 2);
  EXPECT_EQ(ingestor->committed().quarantined, 2);
  EXPECT_EQ(ingestor->committed().quarantine_replayed, 1);
  EXPECT_EQ(count("SELECT line FROM quarantine WHERE byte_offset = 120"), 3);
}

TEST_F(IngestTest, RowsAndCheckpointCommitTogetherOrNotAtAll) {
  FileCheckpoint cp{"pdv", 1, 2, 300, 3, 300, 42};
  ASSERT_TRUE(ingestor->begin().ok());
  ASSERT_TRUE(ingestor->apply(sale("S-1", "2026-03-01T14:00:00Z", 500), "pdv").ok());
  ASSERT_TRUE(ingestor->save_checkpoint(cp).ok());
  ingestor->rollback();  // as if the process died before COMMIT
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM checkpoints"), 0);
  EXPECT_EQ(ingestor->committed().sales_added, 0);

  ASSERT_TRUE(ingestor->begin().ok());
  ASSERT_TRUE(ingestor->apply(sale("S-1", "2026-03-01T14:00:00Z", 500), "pdv").ok());
  ASSERT_TRUE(ingestor->save_checkpoint(cp).ok());
  ASSERT_TRUE(ingestor->commit().ok());
  auto loaded = load_checkpoint(ledger->db(), "pdv");
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, cp);
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 1);
}

TEST_F(IngestTest, AnotherConnectionSeesNothingOfAnUncommittedChunk) {
  ASSERT_TRUE(ingestor->begin().ok());
  ASSERT_TRUE(ingestor->apply(sale("S-1", "2026-03-01T14:00:00Z", 500), "pdv").ok());
  auto reader = Ledger::open(LedgerOptions{dir / "ledger.db", "centro", true, false}, clock);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  EXPECT_EQ(*reader->db().query_int("SELECT count(*) FROM sales"), 0);
  ASSERT_TRUE(ingestor->commit().ok());
  EXPECT_EQ(*reader->db().query_int("SELECT count(*) FROM sales"), 1);
}

TEST_F(IngestTest, TheLedgerRefusesANegativeTotalAsAnInputError) {
  ASSERT_TRUE(ingestor->begin().ok());
  auto s = ingestor->apply(sale("S-1", "2026-03-01T14:00:00Z", -5), "pdv");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::input) << "so that the connector can quarantine the line";
  ingestor->rollback();
}

TEST_F(IngestTest, CountsDescribeTheLedger) {
  apply_all({sale("S-1", "2026-03-01T14:00:00Z", 500, ana()), sale("S-2", "2026-03-01T15:00:00Z", 700),
             Cancel{"S-2", at("2026-03-01T16:00:00Z")}, Cancel{"S-404", at("2026-03-01T16:00:00Z")}});
  auto c = count_ledger(ledger->db());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->sales, 2);
  EXPECT_EQ(c->cancelled, 1);
  EXPECT_EQ(c->anonymous_sales, 1);
  EXPECT_EQ(c->pending_cancels, 1);
  EXPECT_EQ(c->customers, 1);
  EXPECT_EQ(c->quarantined, 0);
  // One row per change for the hub (migration 10): sale S-1, its new customer, sale S-2, S-2 cancelled.
  EXPECT_EQ(c->outbox_depth, 4);
}

}  // namespace
}  // namespace regua
