// The Gamma-Gamma formulas against values computed independently with mpmath 1.3 at 40 digits from
// the density f(m | p, q, v, x) = Gamma(px+q) / (Gamma(px) Gamma(q)) v^q x^(px) m^(px-1) / (v+xm)^(px+q),
// at the `lifetimes` documentation's CDNOW estimates p = 6.25, q = 3.74, v = 15.45.

#include "local/predict/gamma_gamma.hpp"

#include <gtest/gtest.h>

#include "tests/local/predict/simulate.hpp"

namespace regua {
namespace {

constexpr GammaGammaParams kCdnow{6.25, 3.74, 15.45};

TEST(GammaGamma, LogLikelihoodOfOneCustomer) {
  EXPECT_NEAR(gamma_gamma_log_likelihood(kCdnow, 2, 22.35), -3.551595405348810797, 1e-12);
  EXPECT_NEAR(gamma_gamma_log_likelihood(kCdnow, 7, 73.74), -6.053339113855882264, 1e-12);
}

TEST(GammaGamma, ExpectedSpendShrinksTheCustomersAverageTowardsThePopulations) {
  // p (v + x m) / (p x + q - 1) = 6.25 * (15.45 + 44.7) / 15.24
  EXPECT_NEAR(gamma_gamma_expected_spend(kCdnow, 2, 22.35).value_or(0), 6.25 * 60.15 / 15.24, 1e-12);
  // x = 0: the population mean p v / (q - 1) = 6.25 * 15.45 / 2.74
  EXPECT_NEAR(gamma_gamma_expected_spend(kCdnow, 0, 0).value_or(0), 35.24178832116788321, 1e-12);
  // Heavy tails: with q <= 1 the population mean is infinite, so a new customer has no expectation.
  EXPECT_FALSE(gamma_gamma_expected_spend(GammaGammaParams{6.25, 0.9, 15.45}, 0, 0).has_value());
  EXPECT_TRUE(gamma_gamma_expected_spend(GammaGammaParams{6.25, 0.9, 15.45}, 1, 20).has_value());
}

TEST(GammaGamma, FitRecoversSimulatedParameters) {
  const GammaGammaParams truth{6.0, 4.0, 15.0};
  const auto customers = test::simulate_customers(BgNbdParams{1.5, 4.0, 0.5, 3.0}, 6000, 30, 52, &truth);
  auto fit = fit_gamma_gamma(customers);
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  std::int64_t repeat = 0;
  for (const auto& c : customers)
    repeat += c.x > 0 ? 1 : 0;
  EXPECT_EQ(fit->customers, repeat);
  EXPECT_GT(repeat, 2000);
  const auto& g = fit->params;
  auto log_likelihood = [&](const GammaGammaParams& at) {
    double sum = 0;
    for (const auto& c : customers) {
      if (c.x > 0 && c.repeat_spend > 0) sum += gamma_gamma_log_likelihood(at, c.x, c.average_repeat_value());
    }
    return sum;
  };
  EXPECT_NEAR(fit->log_likelihood, log_likelihood(g), 1e-6);
  EXPECT_GE(fit->log_likelihood, log_likelihood(truth)) << "the maximum is at least as likely as the truth";
  for (double factor : {0.99, 1.01}) {
    EXPECT_LT(log_likelihood(GammaGammaParams{g.p * factor, g.q, g.v}), fit->log_likelihood);
    EXPECT_LT(log_likelihood(GammaGammaParams{g.p, g.q * factor, g.v}), fit->log_likelihood);
    EXPECT_LT(log_likelihood(GammaGammaParams{g.p, g.q, g.v * factor}), fit->log_likelihood);
  }
  // Sampling error: p and v trade off against each other (their product sets the scale).
  EXPECT_NEAR(g.p, truth.p, 0.2 * truth.p);
  EXPECT_NEAR(g.q, truth.q, 0.2 * truth.q);
  EXPECT_NEAR(g.v, truth.v, 0.25 * truth.v);
  // What the business reads: the mean spend per purchase, p v / (q - 1), is well determined.
  EXPECT_NEAR(g.p * g.v / (g.q - 1), truth.p * truth.v / (truth.q - 1), 0.05 * 30.0);
}

TEST(GammaGamma, FitNeedsRepeatPurchasesOfSomeValue) {
  std::vector<CustomerSummary> customers(2);
  customers[0].x = 0;
  customers[1].x = 3;  // repeat purchases worth nothing (gifts, exchanges)
  auto fit = fit_gamma_gamma(customers);
  ASSERT_FALSE(fit.ok());
  EXPECT_NE(fit.error().message.find("no customer has a repeat purchase of positive value"),
            std::string::npos)
      << fit.error().message;
}

}  // namespace
}  // namespace regua
