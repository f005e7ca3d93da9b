// From summaries to per-customer figures: the history check and its messages, CLV with and without
// a discount, and what is stored in the ledger for segments and rules.

#include "local/predict/predictions.hpp"

#include <gtest/gtest.h>

#include "local/predict/prediction_store.hpp"
#include "tests/local/predict/simulate.hpp"
#include "tests/support/ledger_fixture.hpp"

namespace regua {
namespace {

constexpr std::int64_t kAsOf = 20'000;  // 2024-10-04

// `n` customers first seen `age` days before kAsOf, the first `repeat` of them with a second day.
std::vector<CustomerSummary> history(int n, int repeat, std::int64_t age) {
  std::vector<CustomerSummary> out;
  for (int i = 0; i < n; ++i) {
    CustomerSummary c;
    c.customer_id = i + 1;
    c.first_day = kAsOf - age;
    c.x = i < repeat ? 1 : 0;
    c.occasions = static_cast<std::int64_t>(c.x) + 1;
    c.last_day = c.first_day + (i < repeat ? 1 : 0);
    c.t_x = static_cast<double>(c.last_day - c.first_day);
    c.T = static_cast<double>(age);
    out.push_back(c);
  }
  return out;
}

std::string history_error(const std::vector<CustomerSummary>& customers) {
  auto s = check_history(customers, kAsOf, HistoryRequirements{});
  EXPECT_FALSE(s.ok());
  if (s.ok()) return "";
  EXPECT_EQ(s.error().kind, ErrorKind::input);
  return s.error().message;
}

TEST(Predictions, SayWhatHistoryIsMissingAndHowMuchMoreIsNeeded) {
  EXPECT_EQ(format_local_day(kAsOf), "2024-10-04");
  auto m = history_error({});
  EXPECT_NE(m.find("no customer has bought up to 2024-10-04"), std::string::npos) << m;

  m = history_error(history(80, 40, 30));
  EXPECT_NE(m.find("covers 30 days (since 2024-09-04)"), std::string::npos) << m;
  EXPECT_NE(m.find("at least 56 days: wait 26 days more"), std::string::npos) << m;

  m = history_error(history(10, 5, 100));
  EXPECT_NE(m.find("only 10 customers bought up to 2024-10-04; predictions need at least 50"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("about 400 days more of history"), std::string::npos)
      << "10 per 100 days, 40 to go: " << m;

  m = history_error(history(60, 5, 100));
  EXPECT_NE(m.find("only 5 of 60 customers came back up to 2024-10-04"), std::string::npos) << m;
  EXPECT_NE(m.find("at least 20 returning customers"), std::string::npos) << m;
  EXPECT_NE(m.find("about 300 days more of history"), std::string::npos) << "5 per 100 days, 15 to go: " << m;

  m = history_error(history(60, 0, 100));
  EXPECT_NE(m.find("no estimate yet"), std::string::npos) << m;

  EXPECT_TRUE(check_history(history(60, 20, 56), kAsOf, HistoryRequirements{}).ok());

  PredictionOptions options;
  options.as_of_day = kAsOf;
  auto run = predict_customers(history(10, 5, 100), options);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().message.find("only 10 customers"), std::string::npos) << run.error().message;
}

class PredictionRunTest : public ::testing::Test {
 protected:
  static std::vector<CustomerSummary> customers() {
    const GammaGammaParams spend{6.0, 4.0, 15.0};
    auto c = test::simulate_customers(BgNbdParams{0.6, 5.0, 0.7, 2.5}, 1500, 20, 52, &spend);
    for (auto& s : c)
      s.first_day = kAsOf - static_cast<std::int64_t>(std::llround(s.T * 7));
    return c;
  }
  static PredictionRun run(const std::vector<CustomerSummary>& c, PredictionOptions options) {
    options.as_of_day = kAsOf;
    auto r = predict_customers(c, options);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : PredictionRun{};
  }
};

TEST_F(PredictionRunTest, GiveEveryCustomerPAliveExpectedPurchasesAndClv) {
  const auto c = customers();
  PredictionOptions options;
  options.horizon_days = 91;
  options.clv_days = 91;
  const auto r = run(c, options);
  ASSERT_EQ(r.customers.size(), c.size());
  ASSERT_TRUE(r.spend.has_value()) << r.spend_problem;
  EXPECT_GT(r.repeat_customers, 0);
  for (const auto& p : r.customers) {
    EXPECT_GE(p.p_alive, 0.0);
    EXPECT_LE(p.p_alive, 1.0);
    auto n = bgnbd_expected_purchases(r.purchases.params, p.summary.x, p.summary.t_x, p.summary.T, 13.0);
    ASSERT_TRUE(n.ok());
    EXPECT_DOUBLE_EQ(p.expected_purchases, *n) << "91 days are 13 weeks";
    ASSERT_TRUE(p.expected_spend && p.clv);
    // Undiscounted, over the same horizon: CLV = expected purchases x expected value (to the cent,
    // up to the rounding of the value to cents).
    EXPECT_NEAR(static_cast<double>(*p.clv), p.expected_purchases * static_cast<double>(*p.expected_spend),
                0.5 + 0.5 * p.expected_purchases);
  }
}

TEST_F(PredictionRunTest, DiscountClvPerThirtyDayMonth) {
  const auto c = customers();
  PredictionOptions plain;
  plain.clv_days = 45;
  plain.unit = TimeUnit::week;
  PredictionOptions discounted = plain;
  discounted.monthly_discount = 0.1;
  const auto a = run(c, plain);
  const auto b = run(c, discounted);
  ASSERT_EQ(a.customers.size(), b.customers.size());
  const auto& p = b.purchases.params;
  for (std::size_t i = 0; i < 50; ++i) {
    const auto& s = b.customers[i].summary;
    // 45 days: month 1 is days 0-30, discounted once; month 2 is days 30-45, discounted twice.
    auto m1 = bgnbd_expected_purchases(p, s.x, s.t_x, s.T, 30.0 / 7.0);
    auto m2 = bgnbd_expected_purchases(p, s.x, s.t_x, s.T, 45.0 / 7.0);
    ASSERT_TRUE(m1.ok() && m2.ok());
    const double value = *gamma_gamma_expected_spend(b.spend->params, s.x, s.average_repeat_value());
    const double expected = (*m1 / 1.1 + (*m2 - *m1) / 1.21) * value;
    EXPECT_EQ(*b.customers[i].clv, std::llround(expected * 100)) << "customer " << i;
    EXPECT_EQ(*a.customers[i].clv, std::llround(*m2 * value * 100)) << "customer " << i;
  }
}

class PredictionStoreTest : public test::LedgerTest {};

TEST_F(PredictionStoreTest, SavesTheLatestFitForSegmentsAndRules) {
  const GammaGammaParams spend{6.0, 4.0, 15.0};
  auto c = test::simulate_customers(BgNbdParams{0.6, 5.0, 0.7, 2.5}, 300, 20, 52, &spend);
  for (auto& s : c) {
    s.first_day = kAsOf - static_cast<std::int64_t>(std::llround(s.T * 7));
    ASSERT_TRUE(ledger->db()
                    .exec("INSERT INTO customers (id, pos_id, info_at, created_at) VALUES (" +
                          std::to_string(s.customer_id) + ", 'C-" + std::to_string(s.customer_id) +
                          "', 0, 0)")
                    .ok());
  }
  PredictionOptions options;
  options.as_of_day = kAsOf;
  auto first = predict_customers(c, options);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto id = save_predictions(ledger->db(), *first, clock);
  ASSERT_TRUE(id.ok()) << id.error().message;

  const auto& expected = first->customers[41];
  auto loaded = load_customer_prediction(ledger->db(), expected.summary.customer_id);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_TRUE(loaded->has_value());
  const auto& p = **loaded;
  EXPECT_EQ(p.fit_id, *id);
  EXPECT_EQ(p.as_of, "2024-10-04");
  EXPECT_EQ(p.fitted_at, clock.now());
  EXPECT_EQ(p.purchase_days, expected.summary.occasions);
  EXPECT_DOUBLE_EQ(p.p_alive, expected.p_alive);
  EXPECT_DOUBLE_EQ(p.expected_purchases, expected.expected_purchases);
  EXPECT_EQ(p.horizon_days, 90);
  EXPECT_EQ(p.expected_spend, expected.expected_spend);
  EXPECT_EQ(p.clv, expected.clv);
  EXPECT_EQ(p.clv_days, 365);
  EXPECT_EQ(count("SELECT count(*) FROM customer_predictions"), 300);
  EXPECT_EQ(count("SELECT time_unit = 'week' AND customers = 300 FROM prediction_fits"), 1);

  auto none = load_customer_prediction(ledger->db(), 9999);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  // A later fit on fewer customers replaces the figures as a whole.
  clock.advance(std::chrono::hours(24));
  c.resize(200);
  auto second = predict_customers(c, options);
  ASSERT_TRUE(second.ok()) << second.error().message;
  auto id2 = save_predictions(ledger->db(), *second, clock);
  ASSERT_TRUE(id2.ok());
  EXPECT_GT(*id2, *id);
  EXPECT_EQ(count("SELECT count(*) FROM customer_predictions"), 200);
  EXPECT_EQ(count("SELECT count(*) FROM customer_predictions WHERE fit_id <> " + std::to_string(*id2)), 0);
  EXPECT_EQ(count("SELECT count(*) FROM prediction_fits"), 2);
  auto gone = load_customer_prediction(ledger->db(), 250);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

}  // namespace
}  // namespace regua
