// Segment events: recorded at ingest in the sale's own transaction, once per change; and by
// refresh_segments() as time passes with no ingest at all, looking only at the customers that
// crossed a limit.

#include "local/analysis/segment_events.hpp"

#include <gtest/gtest.h>

#include "local/identity/merge.hpp"
#include "tests/support/analysis_fixture.hpp"

namespace regua {
namespace {

using std::chrono::days;
using test::at;

class SegmentEventsTest : public test::AnalysisTest {
 protected:
  void SetUp() override {
    AnalysisTest::SetUp();
    clock.set(at("2026-03-02T15:00:00Z"));  // 12:00 in São Paulo, on 2 March
    refresh();                              // the agent refreshes when it starts
  }
};

TEST_F(SegmentEventsTest, ASaleRecordsItsCellInItsOwnTransaction) {
  track();
  ASSERT_TRUE(ingestor->begin().ok());
  ASSERT_TRUE(ingestor->apply(sale("S-1", 100, person("C-1"), "2026-03-02T14:00:00Z"), "pdv").ok());
  EXPECT_EQ(count("SELECT count(*) FROM segment_events"), 1);
  ingestor->rollback();
  EXPECT_EQ(count("SELECT count(*) FROM segment_events"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM sales"), 0);

  buy("S-1", "C-1", "2026-03-02T14:00:00Z");
  const auto e = events("C-1");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].cell, "new_active");
  EXPECT_FALSE(e[0].previous);
  EXPECT_EQ(e[0].cause, "sale");
  EXPECT_EQ(e[0].day, "2026-03-02");
  EXPECT_EQ(text("SELECT cell FROM customer_stats"), "new_active");
  EXPECT_EQ(count("SELECT count(*) FROM customer_stats WHERE pending IS NOT NULL"), 0);
}

TEST_F(SegmentEventsTest, OneEventPerChangeAtIngest) {
  track();
  buy("S-1", "C-1", "2026-03-01T14:00:00Z");
  buy("S-2", "C-1", "2026-03-02T14:00:00Z");
  buy("S-3", "C-1", "2026-03-02T14:10:00Z");  // still promising: no event
  buy("S-3", "C-1", "2026-03-02T14:10:00Z");  // a replay: no event
  const auto e = events("C-1");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[1].cell, "promising_active");
  EXPECT_EQ(e[1].previous, "new_active");
  refresh();
  EXPECT_EQ(events().size(), 2u);  // nothing for refresh to add
}

TEST_F(SegmentEventsTest, TimePassingMovesACustomerOnceOnTheExactDay) {
  track();
  for (int i = 1; i <= 4; ++i)
    buy("S-" + std::to_string(i), "C-1", "2026-03-02T1" + std::to_string(i) + ":00:00Z");
  ASSERT_EQ(events("C-1").back().cell, "loyal_active");
  clock.set(at("2026-04-01T23:00:00Z"));  // 1 April, 20:00 local: 30 days
  refresh();
  EXPECT_EQ(events("C-1").back().cell, "loyal_active");
  clock.set(at("2026-04-02T03:00:00Z"));  // 2 April, 00:00 local: 31 days
  auto r = refresh();
  auto e = events("C-1");
  EXPECT_EQ(e.back().cell, "loyal_slipping");
  EXPECT_EQ(e.back().previous, "loyal_active");
  EXPECT_EQ(e.back().cause, "time");
  EXPECT_EQ(e.back().day, "2026-04-02");
  EXPECT_EQ(r.recorded, 1);
  const auto before = e.size();
  refresh();
  clock.advance(days(1));
  refresh();
  EXPECT_EQ(events("C-1").size(), before);
  clock.set(at("2026-06-01T15:00:00Z"));  // 91 days
  refresh();
  e = events("C-1");
  EXPECT_EQ(e.back().cell, "loyal_inactive");
  EXPECT_EQ(e.back().day, "2026-06-01");
  buy("S-5", "C-1", "2026-06-01T15:00:00Z");
  e = events("C-1");
  EXPECT_EQ(e.back().cell, "loyal_active");
  EXPECT_EQ(e.back().cause, "sale");
}

TEST_F(SegmentEventsTest, AfterDowntimeTheEventSaysTheDayTheCustomerEnteredTheCell) {
  track();
  buy("S-1", "C-1", "2026-03-02T14:00:00Z");
  clock.set(at("2026-07-15T15:00:00Z"));  // both limits passed while the agent was down
  refresh();
  const auto e = events("C-1");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[1].cell, "new_inactive");
  EXPECT_EQ(e[1].day, "2026-06-01");  // 2 March + 91 days
}

TEST_F(SegmentEventsTest, ARefreshLooksOnlyAtTheCustomersThatCrossedALimit) {
  track();
  for (int c = 0; c < 60; ++c) {
    // One customer per day from 2 March back: days since the last purchase 0 .. 59 on 2 March.
    const auto when = at("2026-03-02T14:00:00Z") - days(c);
    Sale s = sale("S-" + std::to_string(c), 100, person("C-" + std::to_string(c)));
    s.sold_at = when;
    apply_all({s});
  }
  clock.advance(days(1));
  const auto r = refresh();
  EXPECT_FALSE(r.full);
  EXPECT_EQ(r.recorded, 1);   // the customer of 1 February: 30 days -> 31
  EXPECT_LE(r.evaluated, 5);  // the ones near that limit, not all 60
  clock.advance(days(3));
  EXPECT_EQ(refresh().recorded, 3);
}

TEST_F(SegmentEventsTest, WithoutAPolicyIngestLeavesTheChangeForTheNextRefresh) {
  buy("S-1", "C-1", "2026-03-02T14:00:00Z");
  EXPECT_TRUE(events().empty());
  EXPECT_EQ(text("SELECT pending FROM customer_stats"), "sale");
  EXPECT_EQ(refresh().recorded, 1);
  auto e = events("C-1");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].cause, "sale");
  EXPECT_EQ(refresh().recorded, 0);
  cancel("S-1", "2026-03-02T16:00:00Z");
  refresh();
  e = events("C-1");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_FALSE(e[1].cell);  // no purchase left: out of the matrix
  EXPECT_EQ(e[1].cause, "cancel");
}

TEST_F(SegmentEventsTest, ALateCancellationMovesTheCustomerBack) {
  track();
  buy("S-1", "C-1", "2026-03-01T14:00:00Z");
  buy("S-2", "C-1", "2026-03-02T14:00:00Z");
  cancel("S-2", "2026-03-02T15:00:00Z");
  const auto e = events("C-1");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[2].cell, "new_active");
  EXPECT_EQ(e[2].cause, "cancel");
}

TEST_F(SegmentEventsTest, NewLimitsReevaluateEveryone) {
  track();
  buy("S-1", "C-1", "2026-02-20T14:00:00Z");  // 10 days before 2 March
  buy("S-2", "C-2", "2026-03-01T14:00:00Z");
  policy.thresholds.active_max_days = 7;
  const auto r = refresh();
  EXPECT_TRUE(r.full);
  EXPECT_EQ(r.recorded, 1);
  EXPECT_EQ(events("C-1").back().cell, "new_slipping");
  EXPECT_EQ(events("C-1").back().cause, "thresholds");
}

TEST_F(SegmentEventsTest, AMergeIsRecordedWithItsCause) {
  track();
  buy("S-1", "C-1", "2026-03-01T14:00:00Z");
  buy("S-2", "C-2", "2026-03-02T14:00:00Z");
  ASSERT_TRUE(merge_customers(*ledger, MergeRequest{id_of("C-1"), {id_of("C-2")}, false}).ok());
  refresh();
  const auto e = events("C-1");
  EXPECT_EQ(e.back().cell, "promising_active");
  EXPECT_EQ(e.back().cause, "merge");
}

}  // namespace
}  // namespace regua
