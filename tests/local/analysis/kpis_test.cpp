// KPI periods (weeks Monday to Sunday, months, clipped to the range) and the ground rules that the
// worked example of docs/kpis.md (tests/integration/analysis_cli_test.cpp) does not isolate.

#include "local/analysis/kpis.hpp"

#include <gtest/gtest.h>

#include "tests/support/analysis_fixture.hpp"

namespace regua {
namespace {

using test::at;

class KpisTest : public test::AnalysisTest {
 protected:
  std::int64_t day(std::string_view iso_date) {
    auto d = parse_date(iso_date);
    return std::chrono::sys_days{*d}.time_since_epoch().count();
  }

  KpiReport kpis(std::string_view from, std::string_view to, KpiGrouping by) {
    auto r = compute_kpis(ledger->db(), policy, day(from), day(to), by);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : KpiReport{};
  }
};

TEST_F(KpisTest, WeeksRunFromMondayToSundayAndPeriodsAreClippedToTheRange) {
  const auto r = kpis("2026-01-01", "2026-01-14", KpiGrouping::week);  // a Thursday to a Wednesday
  ASSERT_EQ(r.periods.size(), 3u);
  EXPECT_EQ(r.periods[0].label, "2025-12-29");
  EXPECT_EQ(r.periods[0].first_day, day("2026-01-01"));
  EXPECT_EQ(r.periods[0].last_day, day("2026-01-04"));  // Sunday
  EXPECT_EQ(r.periods[1].first_day, day("2026-01-05"));
  EXPECT_EQ(r.periods[2].last_day, day("2026-01-14"));
  const auto m = kpis("2026-01-15", "2026-03-10", KpiGrouping::month);
  ASSERT_EQ(m.periods.size(), 3u);
  EXPECT_EQ(m.periods[1].label, "2026-02");
  EXPECT_EQ(m.periods[1].last_day, day("2026-02-28"));
  EXPECT_EQ(m.periods[2].last_day, day("2026-03-10"));
  EXPECT_EQ(kpis("2026-01-01", "2026-01-31", KpiGrouping::day).periods.size(), 31u);
  EXPECT_EQ(kpis("2026-01-01", "2026-01-31", KpiGrouping::none).periods.size(), 1u);
  EXPECT_FALSE(
      compute_kpis(ledger->db(), policy, day("2026-02-01"), day("2026-01-01"), KpiGrouping::none).ok());
}

// A sale belongs to the store-local day of its POS time; anonymous sales count in orders only; a
// cancelled sale counts nowhere, also when it was cancelled after the period.
TEST_F(KpisTest, LocalDaysAnonymousSalesAndCancellations) {
  buy("S-1", "C-1", "2026-02-01T02:00:00Z", 10'000);  // 31 January, 23:00 in São Paulo
  buy("S-2", "", "2026-02-01T12:00:00Z", 5'000);
  buy("S-3", "C-2", "2026-02-02T12:00:00Z", 7'000);
  cancel("S-3", "2026-03-15T12:00:00Z");
  const auto r = kpis("2026-02-01", "2026-02-28", KpiGrouping::none);
  const auto& p = r.total;
  EXPECT_EQ(p.orders, 1);  // S-2: S-1 was on 31 January, S-3 was cancelled
  EXPECT_EQ(p.anonymous_orders, 1);
  EXPECT_EQ(p.revenue, 5'000);
  EXPECT_EQ(p.buyers, 0);
  EXPECT_EQ(p.customers_at_start, 1);  // C-1, active since 31 January
  EXPECT_EQ(p.customers_total, 1);     // C-2 has no purchase left
  EXPECT_EQ(p.historic_clv, 10'000);
  EXPECT_FALSE(p.purchase_frequency);
  const auto jan = kpis("2026-01-31", "2026-01-31", KpiGrouping::none);
  EXPECT_EQ(jan.total.new_customers, 1);
  EXPECT_EQ(jan.total.orders, 1);
}

}  // namespace
}  // namespace regua
