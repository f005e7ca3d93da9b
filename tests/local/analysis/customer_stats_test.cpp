// The per-customer figures kept at ingest: POS time, cancellations (late, early, replayed),
// anonymous sales, merges, and a random history checked against a recomputation from the sales.

#include "local/analysis/customer_stats.hpp"

#include <random>

#include <gtest/gtest.h>

#include "local/identity/merge.hpp"
#include "local/ledger/migrations.hpp"
#include "tests/support/analysis_fixture.hpp"

namespace regua {
namespace {

using test::at;

class CustomerStatsTest : public test::AnalysisTest {};

TEST_F(CustomerStatsTest, SalesCountAtThePosTimeNotTheIngestTime) {
  clock.set(at("2026-06-01T12:00:00Z"));
  buy("S-1", "C-1", "2026-03-05T10:00:00Z", 12'000);
  clock.advance(std::chrono::hours(5));
  buy("S-2", "C-1", "2026-02-20T09:00:00Z", 3'001);
  const auto f = figures("C-1");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->purchases, 2);
  EXPECT_EQ(f->first_at, at("2026-02-20T09:00:00Z").time_since_epoch().count());
  EXPECT_EQ(f->last_at, at("2026-03-05T10:00:00Z").time_since_epoch().count());
  EXPECT_EQ(f->total, 15'001);
  EXPECT_EQ(f->average_ticket(), 7'501);  // 7500.5 rounds half up
}

TEST_F(CustomerStatsTest, AnonymousSalesCountForNobody) {
  buy("S-1", "", "2026-03-01T10:00:00Z");
  EXPECT_EQ(count("SELECT count(*) FROM customer_stats"), 0);
}

TEST_F(CustomerStatsTest, AReplayedSaleCountsOnce) {
  buy("S-1", "C-1", "2026-03-01T10:00:00Z");
  buy("S-1", "C-1", "2026-03-01T10:00:00Z");
  EXPECT_EQ(figures("C-1")->purchases, 1);
}

TEST_F(CustomerStatsTest, ALateCancellationTakesTheSaleOut) {
  buy("S-1", "C-1", "2026-02-01T10:00:00Z", 5'000);
  buy("S-2", "C-1", "2026-02-10T10:00:00Z", 7'000);
  cancel("S-2", "2026-02-28T10:00:00Z");
  auto f = figures("C-1");
  EXPECT_EQ(f->purchases, 1);
  EXPECT_EQ(f->total, 5'000);
  EXPECT_EQ(f->last_at, at("2026-02-01T10:00:00Z").time_since_epoch().count());
  cancel("S-2", "2026-02-28T10:00:00Z");  // a replayed cancellation changes nothing
  EXPECT_EQ(figures("C-1")->purchases, 1);
  cancel("S-1", "2026-03-01T10:00:00Z");
  f = figures("C-1");
  EXPECT_EQ(f->purchases, 0);
  EXPECT_EQ(f->total, 0);
  EXPECT_FALSE(f->last_at);
  EXPECT_FALSE(f->average_ticket());
}

TEST_F(CustomerStatsTest, ASaleWhoseCancellationCameFirstIsBornCancelled) {
  cancel("S-1", "2026-02-01T11:00:00Z");
  buy("S-1", "C-1", "2026-02-01T10:00:00Z");
  buy("S-2", "C-1", "2026-02-02T10:00:00Z", 2'500);
  const auto f = figures("C-1");
  EXPECT_EQ(f->purchases, 1);
  EXPECT_EQ(f->total, 2'500);
  EXPECT_EQ(f->first_at, at("2026-02-02T10:00:00Z").time_since_epoch().count());
}

TEST_F(CustomerStatsTest, AMergeRecomputesTheSurvivorAndDropsTheMergedRow) {
  buy("S-1", "C-1", "2026-02-01T10:00:00Z", 1'000);
  buy("S-2", "C-2", "2026-01-15T10:00:00Z", 2'000);
  buy("S-3", "C-2", "2026-02-20T10:00:00Z", 4'000);
  const auto keep = id_of("C-1"), gone = id_of("C-2");
  auto merged = merge_customers(*ledger, MergeRequest{keep, {gone}, false});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  const auto f = figures("C-1");
  EXPECT_EQ(f->purchases, 3);
  EXPECT_EQ(f->total, 7'000);
  EXPECT_EQ(f->first_at, at("2026-01-15T10:00:00Z").time_since_epoch().count());
  EXPECT_EQ(f->last_at, at("2026-02-20T10:00:00Z").time_since_epoch().count());
  EXPECT_EQ(count("SELECT count(*) FROM customer_stats WHERE customer_id = " + std::to_string(gone)), 0);
  // The survivor's cell is for the next refresh to record, with the merge as its cause.
  EXPECT_EQ(text("SELECT pending FROM customer_stats WHERE customer_id = " + std::to_string(keep)), "merge");
  refresh();
  const auto e = events("C-1");
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e.back().cause, "merge");
  EXPECT_EQ(e.back().purchases, 3);
}

TEST_F(CustomerStatsTest, ADryRunMergeChangesNoStats) {
  buy("S-1", "C-1", "2026-02-01T10:00:00Z");
  buy("S-2", "C-2", "2026-02-02T10:00:00Z");
  auto merged = merge_customers(*ledger, MergeRequest{id_of("C-1"), {id_of("C-2")}, true});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ(figures("C-1")->purchases, 1);
  EXPECT_EQ(figures("C-2")->purchases, 1);
}

// The figures kept sale by sale equal those recomputed from the sales, whatever the order of
// sales, cancellations (late or early), replays and anonymous sales; and a rebuild changes nothing.
TEST_F(CustomerStatsTest, KeptFiguresEqualARecomputationFromTheSales) {
  std::mt19937 rng(7);
  const auto base = at("2025-01-01T00:00:00Z");
  ASSERT_TRUE(ingestor->begin().ok());
  for (int i = 0; i < 3000; ++i) {
    const int what = static_cast<int>(rng() % 10);
    const std::string id = "S-" + std::to_string(rng() % 1500);
    if (what < 7) {
      std::optional<CustomerInfo> who;
      if (what > 0) who = person("C-" + std::to_string(rng() % 120));
      Sale s;
      s.pos_id = id;
      s.sold_at = base + std::chrono::seconds(rng() % 40'000'000);
      s.total = static_cast<Cents>(rng() % 50'000);
      s.customer = who;
      ASSERT_TRUE(ingestor->apply(s, "pdv").ok());
    } else {
      ASSERT_TRUE(ingestor->apply(Cancel{id, base + std::chrono::seconds(rng() % 40'000'000)}, "pdv").ok());
    }
  }
  ASSERT_TRUE(ingestor->commit().ok());
  const std::string recomputed =
      "SELECT customer_id, count(*) AS n, min(sold_at) AS f, max(sold_at) AS l, sum(total_cents) AS t FROM "
      "sales "
      "WHERE customer_id IS NOT NULL AND cancelled_at IS NULL GROUP BY customer_id";
  const std::string kept =
      "SELECT customer_id, purchases, first_at, last_at, total_cents FROM customer_stats "
      "WHERE purchases > 0";
  const auto differences = [&] {
    return count("SELECT count(*) FROM (SELECT * FROM (" + recomputed + " EXCEPT " + kept +
                 ") UNION ALL SELECT * FROM (" + kept + " EXCEPT " + recomputed + "))");
  };
  EXPECT_GT(count("SELECT count(*) FROM customer_stats WHERE purchases > 0"), 50);
  EXPECT_GT(count("SELECT count(*) FROM sales WHERE cancelled_at IS NOT NULL AND customer_id IS NOT NULL"),
            50);
  EXPECT_EQ(differences(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM customer_stats WHERE purchases = 0 AND (last_at IS NOT NULL OR "
                  "total_cents != 0)"),
            0);
  ASSERT_TRUE(ledger->db().exec("BEGIN").ok());
  ASSERT_TRUE(rebuild_customer_stats(ledger->db()).ok());
  ASSERT_TRUE(ledger->db().exec("COMMIT").ok());
  EXPECT_EQ(differences(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM customer_stats WHERE pending = 'rebuild'"), 0);
}

// An import adds up hundreds of thousands of sales in one transaction: they are added up per
// customer in memory as they come (several times over here), and written once at commit.
TEST_F(CustomerStatsTest, ManySalesOfOneTransactionAddUpPerCustomer) {
  std::mt19937 rng(11);
  const auto base = at("2025-01-01T00:00:00Z");
  ASSERT_TRUE(ingestor->begin().ok());
  for (int i = 0; i < 20'000; ++i) {
    Sale s;
    s.pos_id = "S-" + std::to_string(i);
    s.sold_at = base + std::chrono::seconds(rng() % 40'000'000);
    s.total = static_cast<Cents>(rng() % 50'000);
    s.customer = person("C-" + std::to_string(rng() % 300));
    ASSERT_TRUE(ingestor->apply(s, "pdv").ok());
  }
  ASSERT_TRUE(ingestor->commit().ok());
  EXPECT_EQ(count("SELECT count(*) FROM customer_stats"), 300);
  EXPECT_EQ(count("SELECT sum(purchases) FROM customer_stats"), 20'000);
  EXPECT_EQ(
      count("SELECT count(*) FROM customer_stats k JOIN (SELECT customer_id, count(*) AS n, "
            "min(sold_at) AS f, max(sold_at) AS l, sum(total_cents) AS t FROM sales GROUP BY customer_id) r "
            "ON r.customer_id = k.customer_id WHERE k.purchases = r.n AND k.first_at = r.f AND "
            "k.last_at = r.l AND k.total_cents = r.t"),
      300);
}

TEST_F(CustomerStatsTest, WithoutUpkeepARebuildCatchesUp) {
  ingestor->stats().set_upkeep(false);
  buy("S-1", "C-1", "2026-02-01T10:00:00Z", 1'000);
  buy("S-2", "C-1", "2026-02-05T10:00:00Z", 1'000);
  EXPECT_FALSE(figures("C-1"));
  ASSERT_TRUE(ledger->db().exec("BEGIN").ok());
  ASSERT_TRUE(rebuild_customer_stats(ledger->db()).ok());
  ASSERT_TRUE(ledger->db().exec("COMMIT").ok());
  EXPECT_EQ(figures("C-1")->purchases, 2);
  EXPECT_EQ(text("SELECT pending FROM customer_stats"), "rebuild");
}

// A ledger an older Régua wrote (schema 4, built here from migrations 1 to 4) gets its stats from
// its sales when opened, and its cells at the first refresh.
TEST(CustomerStatsUpgrade, MigrationFiveFillsTheStatsOfALedgerWithHistory) {
  test::TempDir dir;
  const auto file = dir / "ledger.db";
  ASSERT_NO_FATAL_FAILURE(test::write_old_ledger(
      file, 4,
      "INSERT INTO customers (id, pos_id, info_at, created_at) VALUES (1, 'C-1', 0, 0), (2, 'C-2', 0, 0);"
      "INSERT INTO sales (pos_id, customer_id, sold_at, total_cents, cancelled_at, source, ingested_at) "
      "VALUES "
      "('S-1', 1, 1769940000, 1000, NULL, 'pdv', 0), ('S-2', 1, 1770300000, 2000, NULL, 'pdv', 0), "
      "('S-3', 2, 1770300000, 2000, 1770310000, 'pdv', 0), ('S-4', NULL, 1770300000, 500, NULL, 'pdv', 0)"));
  ManualClock clock(at("2026-03-01T12:00:00Z"));
  auto ledger = Ledger::open(LedgerOptions{file, "centro"}, clock);
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  auto& db = ledger->db();
  auto f = load_customer_figures(db, 1);
  ASSERT_TRUE(f.ok() && *f);
  EXPECT_EQ((*f)->purchases, 2);
  EXPECT_EQ((*f)->total, 3'000);
  EXPECT_EQ((*f)->last_at, 1'770'300'000);
  EXPECT_FALSE(*load_customer_figures(db, 2));  // its only sale was cancelled
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM customer_stats WHERE pending = 'migration'"), 1);
  SegmentPolicy policy;
  policy.local_day = store_local_day(*date::locate_zone("America/Sao_Paulo"));
  auto r = refresh_segments(db, policy, clock);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM segment_events WHERE customer_id = 1 AND cause = 'migration' "
                          "AND cell = 'promising_active'"),
            1);
}

TEST_F(CustomerStatsTest, PurchasesInTheLastDaysCountStoreLocalDays) {
  // São Paulo is UTC-3: 01:00Z on the 10th is still the 9th there.
  buy("S-1", "C-1", "2026-03-10T01:00:00Z");
  buy("S-2", "C-1", "2026-03-10T12:00:00Z");
  buy("S-3", "C-1", "2026-02-27T12:00:00Z");
  cancel("S-2", "2026-03-10T13:00:00Z");
  const auto day = [&](std::string_view iso) { return policy.local_day(at(iso)); };
  const auto id = id_of("C-1");
  const auto n = [&](int days, std::string_view today) {
    auto r = purchases_in_last_days(ledger->db(), id, days, day(today), policy.local_day);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : -1;
  };
  EXPECT_EQ(n(0, "2026-03-09T15:00:00Z"), 1);  // the 9th, local
  EXPECT_EQ(n(0, "2026-03-10T15:00:00Z"), 0);  // S-2 was cancelled
  EXPECT_EQ(n(1, "2026-03-10T15:00:00Z"), 1);
  EXPECT_EQ(n(10, "2026-03-09T15:00:00Z"), 2);  // 27 Feb is 10 days before 9 Mar
  EXPECT_EQ(n(9, "2026-03-09T15:00:00Z"), 1);
}

}  // namespace
}  // namespace regua
