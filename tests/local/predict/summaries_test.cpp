// Customer summaries: purchase days, not sales; the first day's spend is not a repeat purchase; the
// as-of date and the store's day boundaries; what the ledger leaves out (cancelled, anonymous).

#include "local/predict/summaries.hpp"

#include <gtest/gtest.h>

#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

using test::at;

std::int64_t day_of(std::string_view date) {
  auto d = parse_date(date);
  EXPECT_TRUE(d.ok());
  return std::chrono::sys_days{*d}.time_since_epoch().count();
}

TEST(Summaries, CountPurchaseDaysAndRepeatSpend) {
  // Out of order on purpose; customer 7 buys twice on day 100 and twice on day 110.
  const std::vector<Purchase> purchases{
      {7, 110, 700}, {7, 100, 1000}, {9, 112, 5000}, {7, 103, 2000},
      {7, 100, 500}, {7, 110, 300},  {7, 120, 9999},
  };
  const auto days = summarise(purchases, 115, TimeUnit::day);
  ASSERT_EQ(days.size(), 2U);
  const auto& c = days[0];
  EXPECT_EQ(c.customer_id, 7);
  EXPECT_EQ(c.occasions, 3) << "days 100, 103 and 110; day 120 is after the as-of date";
  EXPECT_EQ(c.x, 2);
  EXPECT_EQ(c.first_day, 100);
  EXPECT_EQ(c.last_day, 110);
  EXPECT_EQ(c.t_x, 10);
  EXPECT_EQ(c.T, 15);
  EXPECT_EQ(c.repeat_spend, 3000) << "20.00 on day 103 and 7.00 + 3.00 on day 110";
  EXPECT_DOUBLE_EQ(c.average_repeat_value(), 15.0);
  EXPECT_EQ(days[1].customer_id, 9);
  EXPECT_EQ(days[1].x, 0);
  EXPECT_EQ(days[1].T, 3);
  EXPECT_EQ(days[1].average_repeat_value(), 0.0);

  const auto weeks = summarise(purchases, 115, TimeUnit::week);
  EXPECT_DOUBLE_EQ(weeks[0].t_x, 10.0 / 7.0);
  EXPECT_DOUBLE_EQ(weeks[0].T, 15.0 / 7.0);
}

TEST(Summaries, MeasureAgeAsThePaperDoesOnCdnow) {
  // CDNOW customer 1: bought 1997-01-01, 1997-01-18 and 1997-08-02; calibration to 1997-09-30.
  const std::vector<Purchase> purchases{{1, day_of("1997-01-01"), 2933},
                                        {1, day_of("1997-01-18"), 2973},
                                        {1, day_of("1997-08-02"), 1496},
                                        {1, day_of("1997-12-12"), 2648}};
  const auto s = summarise(purchases, day_of("1997-09-30"), TimeUnit::week);
  ASSERT_EQ(s.size(), 1U);
  EXPECT_EQ(s[0].x, 2);
  EXPECT_NEAR(s[0].t_x, 30.43, 0.005);
  EXPECT_NEAR(s[0].T, 38.86, 0.005);
  EXPECT_EQ(s[0].repeat_spend, 2973 + 1496);
  EXPECT_DOUBLE_EQ(s[0].average_repeat_value(), 22.345) << "published rounded to the cent: 22.35";
}

class LedgerSummaries : public test::LedgerTest {
 protected:
  void customer(std::int64_t id) {
    auto s = ledger->db().exec("INSERT INTO customers (id, pos_id, info_at, created_at) VALUES (" +
                               std::to_string(id) + ", 'C-" + std::to_string(id) + "', 0, 0)");
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  void sale(std::string_view id, std::optional<std::int64_t> customer_id, std::string_view when, Cents total,
            bool cancelled = false) {
    auto stmt = ledger->db().prepare(
        "INSERT INTO sales (pos_id, customer_id, sold_at, total_cents, cancelled_at, source, ingested_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, 'test', 0)");
    ASSERT_TRUE(stmt.ok()) << stmt.error().message;
    const auto t = at(when).time_since_epoch().count();
    stmt->bind(1, id).bind(3, static_cast<std::int64_t>(t)).bind(4, total);
    if (customer_id) {
      stmt->bind(2, *customer_id);
    } else {
      stmt->bind_null(2);
    }
    if (cancelled) {
      stmt->bind(5, static_cast<std::int64_t>(t + 60));
    } else {
      stmt->bind_null(5);
    }
    auto s = stmt->run();
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  // A store at UTC-3 all year (São Paulo since 2019).
  static std::int64_t local_day(Seconds t) {
    return std::chrono::floor<std::chrono::days>(t - std::chrono::hours(3)).time_since_epoch().count();
  }
};

TEST_F(LedgerSummaries, ReadTheLedgerInTheStoresDays) {
  customer(1);
  customer(2);
  customer(3);
  sale("S-1", 1, "2026-01-05T15:00:00Z", 1000);
  sale("S-2", 1, "2026-01-06T02:00:00Z", 2500);  // 23:00 on the 5th in the store: the same day
  sale("S-3", 1, "2026-01-12T15:00:00Z", 4000, /*cancelled=*/true);
  sale("S-4", 1, "2026-01-21T02:30:00Z", 3000);            // 23:30 on the 20th, the as-of date: counted
  sale("S-5", 1, "2026-01-21T03:30:00Z", 7000);            // 00:30 on the 21st: after the as-of date
  sale("S-6", std::nullopt, "2026-01-08T15:00:00Z", 900);  // anonymous
  sale("S-7", 2, "2026-01-21T12:00:00Z", 900);             // only after the as-of date
  sale("S-8", 3, "2026-01-10T12:00:00Z", 1200);

  auto s = load_customer_summaries(ledger->db(), day_of("2026-01-20"), &local_day, TimeUnit::day);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->size(), 2U) << "customer 2 had not bought yet";
  const auto& one = (*s)[0];
  EXPECT_EQ(one.customer_id, 1);
  EXPECT_EQ(one.first_day, day_of("2026-01-05"));
  EXPECT_EQ(one.last_day, day_of("2026-01-20"));
  EXPECT_EQ(one.x, 1) << "S-1 and S-2 are one day, S-3 is cancelled, S-5 is too late";
  EXPECT_EQ(one.t_x, 15);
  EXPECT_EQ(one.T, 15);
  EXPECT_EQ(one.repeat_spend, 3000);
  const auto& three = (*s)[1];
  EXPECT_EQ(three.customer_id, 3);
  EXPECT_EQ(three.x, 0);
  EXPECT_EQ(three.T, 10);
}

}  // namespace
}  // namespace regua
