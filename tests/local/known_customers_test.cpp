// What ingest keeps in memory to be fast (the customers it knows by POS id, info_at moves and stats
// written once per transaction) never changes what it stores: writes by other connections and by
// other code on the same connection are seen, rollbacks forget, a cancellation in the same batch
// as its sale counts, and info_at still orders news. Each test fails with a cache that trusts
// itself too long.

#include <gtest/gtest.h>

#include "local/analysis/customer_stats.hpp"
#include "local/identity/merge.hpp"
#include "tests/support/identity_fixture.hpp"

namespace regua {
namespace {

using test::Person;

constexpr const char* kAnaPhone = "(11) 98765-4321";
constexpr const char* kOtherPhone = "(21) 99876-5432";

class KnownCustomersTest : public test::IdentityTest {
 protected:
  // A second connection to the same ledger, as the HTTP API or another command has.
  Ledger other_connection() {
    auto opened = Ledger::open(LedgerOptions{dir / "ledger.db", "centro"}, clock);
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
    return std::move(*opened);
  }

  std::int64_t id_of(std::string_view pos_id) {
    auto id = resolve_customer(ledger->db(), "pos:" + std::string(pos_id));
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
    return id.ok() ? *id : -1;
  }

  // The customer's stats as stored, as "purchases/total/first_at/last_at".
  std::string stats_of(std::int64_t customer_id) {
    return text(
               "SELECT purchases || '/' || total_cents || '/' || first_at || '/' || last_at FROM "
               "customer_stats "
               "WHERE customer_id = " +
               std::to_string(customer_id))
        .value_or("none");
  }
};

TEST_F(KnownCustomersTest, ASaleAfterAMergeOnTheSameConnectionGoesToTheSurvivor) {
  const Person ana{"C-1", "Ana", kAnaPhone};
  apply_all({sale("S-1", 100, ana.info()), sale("S-2", 100, ana.info()),
             sale("S-3", 300, Person{"C-2", "Ana"}.info())});
  const auto survivor = id_of("C-2");
  auto merged = merge_customers(*ledger, MergeRequest{survivor, {id_of("C-1")}, false});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  // The very details the Ingestor last saw for C-1: its memory of C-1 is stale.
  apply_all({sale("S-4", 400, ana.info(), "2026-03-02T10:00:00Z")});
  EXPECT_EQ(customer_of("S-4"), survivor);
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 1);
}

TEST_F(KnownCustomersTest, AMergeByAnotherConnectionBetweenTwoTransactionsIsSeen) {
  const Person ana{"C-1", "Ana", kAnaPhone};
  apply_all({sale("S-1", 100, ana.info()), sale("S-2", 100, ana.info()),
             sale("S-3", 300, Person{"C-2", "Ana"}.info())});
  const auto survivor = id_of("C-2");
  {
    auto other = other_connection();
    auto merged = merge_customers(other, MergeRequest{survivor, {id_of("C-1")}, false});
    ASSERT_TRUE(merged.ok()) << merged.error().message;
  }
  apply_all({sale("S-4", 400, ana.info(), "2026-03-02T10:00:00Z")});
  EXPECT_EQ(customer_of("S-4"), survivor);
}

TEST_F(KnownCustomersTest, ACustomerCreatedByAnotherConnectionIsMatched) {
  apply_all({sale("S-1", 100, Person{"C-1", "Ana", kAnaPhone}.info())});
  {
    // Another writer records a customer without a POS id (a fiscal note, say) with a mobile.
    auto other = other_connection();
    auto in = Ingestor::create(other, phones);
    ASSERT_TRUE(in.ok()) << in.error().message;
    ASSERT_TRUE(in->begin().ok());
    ASSERT_TRUE(in->apply(sale("NFE-1", 100, Person{"", "Bia", kOtherPhone}.info()), "http").ok());
    ASSERT_TRUE(in->commit().ok());
  }
  // A new POS id with that mobile is that customer: only possible if the Ingestor learns that a
  // customer without a POS id now exists.
  apply_all({sale("S-2", 200, Person{"C-7", "Bia", kOtherPhone}.info(), "2026-03-02T10:00:00Z")});
  EXPECT_EQ(customer_of("S-2"), customer_of("NFE-1"));
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 2);
}

TEST_F(KnownCustomersTest, NewsWrittenByAnotherConnectionIsNotMistakenForWhatWasLastSeen) {
  const Person ana{"C-1", "Ana", kAnaPhone};
  apply_all({sale("S-1", 100, ana.info(), "2026-03-01T10:00:00Z"),
             sale("S-2", 100, ana.info(), "2026-03-01T11:00:00Z")});
  {
    auto other = other_connection();
    auto in = Ingestor::create(other, phones);
    ASSERT_TRUE(in.ok()) << in.error().message;
    ASSERT_TRUE(in->begin().ok());
    ASSERT_TRUE(in->apply(CustomerUpdate{Person{"C-1", std::nullopt, kOtherPhone}.info(),
                                         test::at("2026-03-02T10:00:00Z")},
                          "http")
                    .ok());
    ASSERT_TRUE(in->commit().ok());
  }
  ASSERT_EQ(field_of("S-1", "phone"), kOtherPhone);
  // The old details again, newer than the other writer's news: they win again.
  apply_all({sale("S-3", 100, ana.info(), "2026-03-03T10:00:00Z")});
  EXPECT_EQ(field_of("S-3", "phone"), kAnaPhone);
}

TEST_F(KnownCustomersTest, ARolledBackCustomerIsForgotten) {
  const Person ana{"C-1", "Ana", kAnaPhone};
  ASSERT_TRUE(ingestor->begin().ok());
  ASSERT_TRUE(ingestor->apply(sale("S-1", 100, ana.info()), "pdv").ok());
  ASSERT_TRUE(ingestor->apply(sale("S-2", 100, ana.info()), "pdv").ok());
  ingestor->rollback();
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 0);
  apply_all({sale("S-1", 100, ana.info()), sale("S-2", 150, ana.info(), "2026-03-01T15:00:00Z")});
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 1);
  EXPECT_EQ(customer_of("S-1"), customer_of("S-2"));
  EXPECT_NE(customer_of("S-1"), -1);
  EXPECT_EQ(stats_of(customer_of("S-1")),
            "2/250/" + std::to_string(test::at("2026-03-01T14:00:00Z").time_since_epoch().count()) + "/" +
                std::to_string(test::at("2026-03-01T15:00:00Z").time_since_epoch().count()));
}

TEST_F(KnownCustomersTest, RepeatedDetailsStillMoveInfoAtSoThatOlderNewsLoses) {
  const Person ana{"C-1", "Ana", kAnaPhone};
  const CustomerUpdate older{Person{"C-1", std::nullopt, kOtherPhone}.info(),
                             test::at("2026-03-01T12:00:00Z")};
  // Within one transaction: the repeated details at 14:00 make the 12:00 news older.
  apply_all({sale("S-1", 100, ana.info(), "2026-03-01T10:00:00Z"),
             sale("S-2", 100, ana.info(), "2026-03-01T14:00:00Z"), older});
  EXPECT_EQ(field_of("S-1", "phone"), kAnaPhone);
  EXPECT_EQ(count("SELECT info_at FROM customers"),
            test::at("2026-03-01T14:00:00Z").time_since_epoch().count());
  // Across transactions: the move was written before the commit.
  apply_all({sale("S-3", 100, ana.info(), "2026-03-04T10:00:00Z")});
  make_ingestor();
  apply_all(
      {CustomerUpdate{Person{"C-1", std::nullopt, kOtherPhone}.info(), test::at("2026-03-03T10:00:00Z")}});
  EXPECT_EQ(field_of("S-1", "phone"), kAnaPhone);
  EXPECT_EQ(count("SELECT info_at FROM customers"),
            test::at("2026-03-04T10:00:00Z").time_since_epoch().count());
}

TEST_F(KnownCustomersTest, ACancellationInTheSameBatchAsItsSaleIsCounted) {
  const Person ana{"C-1", "Ana", kAnaPhone};
  apply_all(
      {sale("S-1", 100, ana.info(), "2026-03-01T10:00:00Z"),
       sale("S-2", 200, ana.info(), "2026-03-01T11:00:00Z"), Cancel{"S-2", test::at("2026-03-01T11:30:00Z")},
       // Cancelled before it arrives: born cancelled, never counted.
       Cancel{"S-4", test::at("2026-03-01T12:00:00Z")}, sale("S-3", 400, ana.info(), "2026-03-01T12:30:00Z"),
       sale("S-4", 800, ana.info(), "2026-03-01T13:00:00Z")});
  const auto ana_id = id_of("C-1");
  EXPECT_EQ(stats_of(ana_id),
            "2/500/" + std::to_string(test::at("2026-03-01T10:00:00Z").time_since_epoch().count()) + "/" +
                std::to_string(test::at("2026-03-01T12:30:00Z").time_since_epoch().count()));
  // The kept figures are those a recomputation from the sales gives.
  ASSERT_TRUE(ledger->db().exec("BEGIN").ok());
  ASSERT_TRUE(rebuild_customer_stats(ledger->db()).ok());
  EXPECT_EQ(stats_of(ana_id),
            "2/500/" + std::to_string(test::at("2026-03-01T10:00:00Z").time_since_epoch().count()) + "/" +
                std::to_string(test::at("2026-03-01T12:30:00Z").time_since_epoch().count()));
  ASSERT_TRUE(ledger->db().exec("ROLLBACK").ok());
}

// The Ingestor skips the probe for a cancellation that came first while it knows the table of
// cancellations to be empty; a cancellation written by anyone else must end that.
TEST_F(KnownCustomersTest, ACancellationWrittenByAnotherConnectionBetweenTwoTransactionsIsApplied) {
  apply_all({sale("S-1", 100)});  // the Ingestor has seen no cancellation
  {
    auto other = other_connection();
    auto in = Ingestor::create(other, phones);
    ASSERT_TRUE(in.ok()) << in.error().message;
    ASSERT_TRUE(in->begin().ok());
    ASSERT_TRUE(in->apply(Cancel{"S-2", test::at("2026-03-01T13:00:00Z")}, "api").ok());
    ASSERT_TRUE(in->commit().ok());
  }
  apply_all({sale("S-2", 200, Person{"C-1", "Ana", kAnaPhone}.info())});
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE pos_id = 'S-2' AND cancelled_at IS NOT NULL"), 1);
  EXPECT_EQ(count("SELECT coalesce((SELECT purchases FROM customer_stats WHERE customer_id = " +
                  std::to_string(id_of("C-1")) + "), 0)"),
            0)
      << "a sale born cancelled never counts";
}

TEST_F(KnownCustomersTest, ACancellationWrittenOnTheSameConnectionInsideTheTransactionIsApplied) {
  ASSERT_TRUE(ingestor->begin().ok());
  ASSERT_TRUE(ingestor->apply(sale("S-1", 100), "pdv").ok());
  ASSERT_TRUE(ledger->db()
                  .exec("INSERT INTO cancellations (sale_pos_id, cancelled_at, source, received_at) "
                        "VALUES ('S-2', 1, 'test', 1)")
                  .ok());
  ASSERT_TRUE(ingestor->apply(sale("S-2", 200), "pdv").ok());
  ASSERT_TRUE(ingestor->commit().ok());
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE pos_id = 'S-2' AND cancelled_at = 1"), 1);
}

TEST_F(KnownCustomersTest, ACancellationBeforeItsSaleInTheSameTransactionIsApplied) {
  apply_all({sale("S-1", 100), Cancel{"S-2", test::at("2026-03-01T13:00:00Z")}, sale("S-2", 200)});
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE pos_id = 'S-2' AND cancelled_at IS NOT NULL"), 1);
  // And in the next transaction, for a sale whose cancellation the last one stored.
  apply_all({Cancel{"S-3", test::at("2026-03-01T13:00:00Z")}});
  apply_all({sale("S-3", 300)});
  EXPECT_EQ(count("SELECT count(*) FROM sales WHERE pos_id = 'S-3' AND cancelled_at IS NOT NULL"), 1);
}

}  // namespace
}  // namespace regua
