// The matrix's buckets at their limits, its names, and days counted on the store's calendar across
// a DST change.

#include "local/analysis/lifecycle_matrix.hpp"

#include <set>

#include <gtest/gtest.h>

#include "local/analysis/matrix_counts.hpp"
#include "tests/support/analysis_fixture.hpp"

namespace regua {
namespace {

using test::at;

TEST(LifecycleMatrix, BucketsEndAtTheirLimits) {
  const LifecycleThresholds t;  // 1 / 2-3 / 4+ purchases, 0-30 / 31-90 / 91+ days
  EXPECT_EQ(cell_code(cell_of(1, 0, t)), "new_active");
  EXPECT_EQ(cell_code(cell_of(1, 30, t)), "new_active");
  EXPECT_EQ(cell_code(cell_of(1, 31, t)), "new_slipping");
  EXPECT_EQ(cell_code(cell_of(2, 90, t)), "promising_slipping");
  EXPECT_EQ(cell_code(cell_of(3, 91, t)), "promising_inactive");
  EXPECT_EQ(cell_code(cell_of(4, 91, t)), "loyal_inactive");
  EXPECT_EQ(cell_code(cell_of(3, 30, t)), "promising_active");
  EXPECT_EQ(cell_code(cell_of(4, 30, t)), "loyal_active");
  EXPECT_EQ(cell_code(cell_of(40, -2, t)), "loyal_active");  // a purchase dated after today counts as today
  const LifecycleThresholds other{2, 5, 7, 60};
  EXPECT_EQ(cell_code(cell_of(2, 7, other)), "new_active");
  EXPECT_EQ(cell_code(cell_of(3, 8, other)), "promising_slipping");
  EXPECT_EQ(cell_code(cell_of(6, 61, other)), "loyal_inactive");
}

TEST(LifecycleMatrix, ActiveMeansTheFirstTwoColumns) {
  EXPECT_TRUE(is_active(Recency::active));
  EXPECT_TRUE(is_active(Recency::slipping));
  EXPECT_FALSE(is_active(Recency::inactive));
}

TEST(LifecycleMatrix, LimitsMustMakeThreeBuckets) {
  EXPECT_TRUE(check_thresholds({}).ok());
  EXPECT_FALSE(check_thresholds({0, 3, 30, 90}).ok());
  auto s = check_thresholds({3, 3, 30, 90});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("promising_max_purchases"), std::string::npos);
  EXPECT_FALSE(check_thresholds({1, 3, 90, 90}).ok());
  EXPECT_FALSE(check_thresholds({1, 3, -1, 90}).ok());
}

TEST(LifecycleMatrix, EveryCellHasItsOwnCodeAndNameInBothLanguages) {
  std::set<std::string> seen;
  for (int i = 0; i < kCells; ++i) {
    const Cell c = Cell::from_index(i);
    EXPECT_EQ(c.index(), i);
    for (const auto text : {cell_code(c), cell_name(c, Language::pt_br), cell_name(c, Language::en)}) {
      EXPECT_TRUE(seen.insert(std::string(text)).second) << text;
      EXPECT_EQ(cell_from_text(text), c) << text;
    }
    EXPECT_FALSE(cell_advice(c, Language::pt_br).empty());
    EXPECT_FALSE(cell_advice(c, Language::en).empty());
  }
  EXPECT_EQ(cell_name(Cell{Frequency::new_, Recency::active}, Language::pt_br), "Novos ativos");
  EXPECT_EQ(cell_name(Cell{Frequency::loyal, Recency::slipping}, Language::pt_br), "Fiéis adormecendo");
  EXPECT_EQ(cell_from_text("NOVOS ATIVOS"), (Cell{Frequency::new_, Recency::active}));
  EXPECT_FALSE(cell_from_text("novos"));
}

// New York's clocks went forward on 8 March 2026: before it a day starts at 05:00Z, after it at
// 04:00Z. A purchase on Saturday 7 February at 21:00 (02:00Z on the 8th) is 30 days old until the
// end of 9 March and 31 days old from its first second, 00:00 EDT on 10 March (04:00Z). Counting in
// UTC days, or with February's offset, would give 30 days at 00:00 EDT.
class NewYorkMatrixTest : public test::AnalysisTest {
 protected:
  NewYorkMatrixTest() : AnalysisTest("America/New_York") {}
};

TEST_F(NewYorkMatrixTest, DaysSinceTheLastPurchaseAreStoreCalendarDaysAcrossADstChange) {
  buy("S-1", "C-1", "2026-02-08T02:00:00Z");
  const auto cell_at = [&](std::string_view now) {
    clock.set(at(now));
    auto m = matrix_now(ledger->db(), policy, today());
    EXPECT_TRUE(m.ok());
    for (int i = 0; i < kCells; ++i) {
      if (m->cells[static_cast<std::size_t>(i)] == 1) return std::string(cell_code(Cell::from_index(i)));
    }
    return std::string("none");
  };
  EXPECT_EQ(cell_at("2026-03-10T03:59:59Z"), "new_active");    // 23:59:59 EDT on 9 March
  EXPECT_EQ(cell_at("2026-03-10T04:00:00Z"), "new_slipping");  // 00:00 EDT on 10 March
}

TEST_F(NewYorkMatrixTest, TheFourthPurchaseMakesALoyalCustomer) {
  track();
  clock.set(at("2026-03-20T15:00:00Z"));
  for (int i = 1; i <= 4; ++i)
    buy("S-" + std::to_string(i), "C-1", "2026-03-1" + std::to_string(i) + "T15:00:00Z");
  const auto e = events("C-1");
  ASSERT_EQ(e.size(), 3u);  // new, promising (2nd), loyal (4th): the 3rd changes nothing
  EXPECT_EQ(e[0].cell, "new_active");
  EXPECT_EQ(e[1].cell, "promising_active");
  EXPECT_EQ(e[1].purchases, 2);
  EXPECT_EQ(e[2].cell, "loyal_active");
  EXPECT_EQ(e[2].purchases, 4);
}

}  // namespace
}  // namespace regua
