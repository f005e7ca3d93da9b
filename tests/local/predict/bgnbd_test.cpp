// The BG/NBD formulas against independent values: by hand where the formula is short, otherwise the
// paper's formulas evaluated in natural space (beta and gamma functions, mpmath.hyp2f1) with mpmath
// 1.3 at 40 digits, at the paper's CDNOW estimates r = 0.243, alpha = 4.414, a = 0.793, b = 2.426
// (weeks). The conditional expectation 1.226 for x = 2, t_x = 30.43, T = 38.86 over 39 weeks is also
// the figure of Hardie's BG/NBD spreadsheet, which the `lifetimes` test suite checks.

#include "local/predict/bgnbd.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "tests/local/predict/simulate.hpp"

namespace regua {
namespace {

constexpr BgNbdParams kPaper{0.243, 4.414, 0.793, 2.426};

double expected(const BgNbdParams& p, double x, double t_x, double T, double t) {
  auto r = bgnbd_expected_purchases(p, x, t_x, T, t);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : NAN;
}

TEST(BgNbd, LogLikelihoodOfOneCustomer) {
  // x = 0: L = (alpha / (alpha + T))^r, so log L = 0.243 * log(4.414 / 43.274) = 0.243 * -2.282770...
  EXPECT_NEAR(bgnbd_log_likelihood(kPaper, 0, 0, 38.86), 0.243 * std::log(4.414 / 43.274), 1e-12);
  EXPECT_NEAR(bgnbd_log_likelihood(kPaper, 0, 0, 38.86), -0.5547132764381584511, 1e-12);
  EXPECT_NEAR(bgnbd_log_likelihood(kPaper, 2, 30.43, 38.86), -9.458606307066271245, 1e-12);
  EXPECT_NEAR(bgnbd_log_likelihood(kPaper, 7, 29.43, 38.86), -21.86327627146351831, 1e-12);
}

TEST(BgNbd, LogLikelihoodStaysFiniteForVeryFrequentBuyers) {
  // (alpha + T)^(r + x) overflows a double for x = 400; the log-space form does not care.
  const double ll = bgnbd_log_likelihood(kPaper, 400, 380.0, 390.0);
  EXPECT_TRUE(std::isfinite(ll)) << ll;
  EXPECT_LT(ll, 0);
}

TEST(BgNbd, TotalLogLikelihoodIsTheSumOverCustomers) {
  std::vector<CustomerSummary> customers(3);
  customers[0].x = 2, customers[0].t_x = 30.43, customers[0].T = 38.86;
  customers[1].x = 0, customers[1].T = 38.86;
  customers[2].x = 0, customers[2].T = 38.86;  // a tie, evaluated once and counted twice
  EXPECT_NEAR(bgnbd_log_likelihood(kPaper, customers), -9.458606307066271245 + 2 * -0.5547132764381584511,
              1e-11);
}

TEST(BgNbd, ProbabilityAlive) {
  EXPECT_EQ(bgnbd_p_alive(kPaper, 0, 0, 38.86), 1.0) << "no repeat purchase: no chance to have dropped out";
  EXPECT_NEAR(bgnbd_p_alive(kPaper, 2, 30.43, 38.86), 0.7265785700806729107, 1e-13);
  EXPECT_NEAR(bgnbd_p_alive(kPaper, 23, 39, 39), 0.9685554542210238312, 1e-13);
  EXPECT_NEAR(bgnbd_p_alive(kPaper, 5, 10, 39), 0.02439800898084013051, 1e-13);
  EXPECT_EQ(bgnbd_p_alive(kPaper, 400, 10, 390), 0.0) << "overflow of the odds gives the limit, not NaN";
}

TEST(BgNbd, ConditionalExpectedPurchases) {
  EXPECT_NEAR(expected(kPaper, 2, 30.43, 38.86, 39), 1.226028174767144446, 1e-12);
  EXPECT_NEAR(expected(kPaper, 2, 30.43, 38.86, 39), 1.226, 5e-4) << "Hardie's spreadsheet";
  EXPECT_NEAR(expected(kPaper, 0, 0, 38.86, 39), 0.1950980520112626387, 1e-12);
  EXPECT_NEAR(expected(kPaper, 29, 37.71, 38, 1), 0.6623948350517615692, 1e-12);
  EXPECT_NEAR(expected(kPaper, 5, 10, 39, 52), 0.1168679782296616214, 1e-12);
  EXPECT_EQ(expected(kPaper, 2, 30.43, 38.86, 0), 0.0);
}

TEST(BgNbd, ConditionalExpectationIsContinuousThroughAEqualsOne) {
  // The formula divides by a - 1; the limit at a = 1 is finite and the code must reach it.
  BgNbdParams p = kPaper;
  p.a = 1.0;
  const double at_one = expected(p, 3, 20, 38, 26);
  p.a = 1.0 - 1e-4;
  const double below = expected(p, 3, 20, 38, 26);
  p.a = 1.0 + 1e-4;
  const double above = expected(p, 3, 20, 38, 26);
  EXPECT_TRUE(std::isfinite(at_one));
  EXPECT_NEAR(at_one, 0.5 * (below + above), 1e-7);
  EXPECT_GT(at_one, 0);
}

TEST(BgNbd, ConditionalExpectationGrowsWithTheHorizonAndHandlesFrequentBuyers) {
  double before = 0;
  for (double t : {1.0, 4.0, 13.0, 52.0, 520.0}) {
    const double now = expected(kPaper, 10, 37, 38, t);
    EXPECT_GT(now, before) << "t = " << t;
    before = now;
  }
  const double heavy = expected(kPaper, 300, 38, 38.5, 52);
  EXPECT_TRUE(std::isfinite(heavy)) << heavy;
  EXPECT_GT(heavy, 100) << "a customer buying 300 times in 38 weeks, still active, keeps buying";
}

TEST(BgNbd, FitFindsTheMaximumAndRecoversSimulatedParameters) {
  const BgNbdParams truth{0.5, 6.0, 0.7, 2.5};
  const auto customers = test::simulate_customers(truth, 6000, 20, 52);
  auto fit = fit_bgnbd(customers);
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  const BgNbdParams& p = fit->params;
  EXPECT_EQ(fit->customers, 6000);
  EXPECT_NEAR(fit->log_likelihood, bgnbd_log_likelihood(p, customers), 1e-6);
  // The maximum: at least as likely as the truth, and more likely than any nearby point.
  EXPECT_GE(fit->log_likelihood, bgnbd_log_likelihood(truth, customers));
  for (int i = 0; i < 4; ++i) {
    for (double factor : {0.99, 1.01}) {
      BgNbdParams q = p;
      double* field[] = {&q.r, &q.alpha, &q.a, &q.b};
      *field[i] *= factor;
      EXPECT_LT(bgnbd_log_likelihood(q, customers), fit->log_likelihood)
          << "parameter " << i << " x " << factor;
    }
  }
  // Sampling error with 6,000 customers (a and b are the least determined, as in the paper).
  EXPECT_NEAR(p.r, truth.r, 0.1 * truth.r);
  EXPECT_NEAR(p.alpha, truth.alpha, 0.15 * truth.alpha);
  EXPECT_NEAR(p.a, truth.a, 0.3 * truth.a);
  EXPECT_NEAR(p.b, truth.b, 0.3 * truth.b);
}

TEST(BgNbd, FitRefusesAnEmptyHistory) {
  auto fit = fit_bgnbd({});
  ASSERT_FALSE(fit.ok());
  EXPECT_NE(fit.error().message.find("no customers"), std::string::npos) << fit.error().message;
}

}  // namespace
}  // namespace regua
