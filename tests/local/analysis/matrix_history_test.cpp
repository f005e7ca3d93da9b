// `segments --at DATE` rebuilds the matrix of a past day from the sales; it must say what
// `segments` (from the stats kept at ingest) said on that day. Four months of a store in New York
// (a DST change included) are simulated on a ManualClock, the matrix noted at the end of every day,
// then compared with the history's.

#include <map>
#include <random>

#include <date/tz.h>
#include <gtest/gtest.h>

#include "local/analysis/matrix_counts.hpp"
#include "tests/support/analysis_fixture.hpp"

namespace regua {
namespace {

using test::at;

class MatrixHistoryTest : public test::AnalysisTest {
 protected:
  MatrixHistoryTest() : AnalysisTest("America/New_York") {}
};

TEST_F(MatrixHistoryTest, TheMatrixOfAPastDayIsWhatTheStatsSaidThatDay) {
  std::mt19937 rng(11);
  std::map<std::int64_t, MatrixCounts> said;
  track();
  int sale_number = 0;
  // From 1 February to 31 May; each day's sales at random minutes of the local day (the 23-hour day
  // of 8 March included), late evening included.
  const auto* zone = date::locate_zone("America/New_York");
  const auto midnight = [&](int d) {
    return Seconds{date::make_zoned(zone, date::local_days{date::year{2026} / 2 / 1} + date::days{d})
                       .get_sys_time()
                       .time_since_epoch()};
  };
  for (int d = 0; d < 120; ++d) {
    const auto day = midnight(d);
    const auto minutes = (midnight(d + 1) - day) / std::chrono::minutes(1);
    ASSERT_TRUE(ingestor->begin().ok());
    std::vector<std::string> today_sales;
    const int n = static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
      Sale s =
          sale("S-" + std::to_string(++sale_number), static_cast<Cents>(1000 + rng() % 9000),
               rng() % 5 == 0 ? std::optional<CustomerInfo>{} : person("C-" + std::to_string(rng() % 40)));
      s.sold_at = day + std::chrono::minutes(static_cast<std::int64_t>(rng()) % minutes);
      ASSERT_TRUE(ingestor->apply(s, "pdv").ok());
      today_sales.push_back(s.pos_id);
    }
    if (!today_sales.empty() && rng() % 4 == 0) {  // a cancellation the same day
      ASSERT_TRUE(
          ingestor->apply(Cancel{today_sales.front(), midnight(d + 1) - std::chrono::minutes(1)}, "pdv")
              .ok());
    }
    ASSERT_TRUE(ingestor->commit().ok());
    clock.set(midnight(d + 1) - std::chrono::seconds(1));  // the day's last second
    auto m = matrix_now(ledger->db(), policy, today());
    ASSERT_TRUE(m.ok());
    said[today()] = *m;
  }
  ASSERT_GT(said.rbegin()->second.customers, 30);
  bool saw_slipping = false, saw_inactive_or_loyal = false;
  for (const auto& [day, then] : said) {
    auto history = matrix_at(ledger->db(), policy, day);
    ASSERT_TRUE(history.ok()) << history.error().message;
    EXPECT_EQ(history->cells, then.cells) << "on day " << day;
    EXPECT_EQ(history->active, then.active);
    saw_slipping = saw_slipping || then.cells[1] + then.cells[4] + then.cells[7] > 0;
    saw_inactive_or_loyal = saw_inactive_or_loyal || then.cells[6] + then.cells[7] + then.cells[8] > 0;
  }
  EXPECT_TRUE(saw_slipping);
  EXPECT_TRUE(saw_inactive_or_loyal);
}

TEST_F(MatrixHistoryTest, ASaleLateInTheEveningBelongsToItsLocalDay) {
  buy("S-1", "C-1", "2026-03-11T03:30:00Z");  // 23:30 EDT on 10 March
  const auto day = [&](std::string_view iso) { return policy.local_day(at(iso)); };
  auto before = matrix_at(ledger->db(), policy, day("2026-03-10T03:00:00Z"));  // 9 March
  auto on = matrix_at(ledger->db(), policy, day("2026-03-10T15:00:00Z"));      // 10 March
  ASSERT_TRUE(before.ok() && on.ok());
  EXPECT_EQ(before->customers, 0);
  EXPECT_EQ(on->customers, 1);
}

}  // namespace
}  // namespace regua
