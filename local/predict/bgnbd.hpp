#pragma once
// The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting Your Customers the
// Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2)): while alive, a
// customer buys as a Poisson process whose rate is Gamma(r, alpha) across customers; after each
// repeat purchase the customer drops out with a probability that is Beta(a, b) across customers.
//
// Time is in the unit of the summaries the model is fitted on (alpha is in that unit too). The
// formulas are the paper's individual likelihood and conditional expectation of purchases in the
// next t units (eq. 10), and P(alive) as in Fader, Hardie & Lee's note "Computing P(alive) using
// the BG/NBD model".

#include <cstdint>
#include <span>

#include "local/core/result.hpp"
#include "local/predict/summaries.hpp"

namespace regua {

struct BgNbdParams {
  double r = 0, alpha = 0, a = 0, b = 0;
};

// log L(r, alpha, a, b | x, t_x, T) of one customer, in log space throughout (lgamma and a
// log-sum-exp of the likelihood's two terms) so that customers with many purchases neither overflow
// nor underflow.
double bgnbd_log_likelihood(const BgNbdParams& p, double x, double t_x, double T);

// The sum over customers.
double bgnbd_log_likelihood(const BgNbdParams& p, std::span<const CustomerSummary> customers);

// P(alive | x, t_x, T): 1 for a customer with no repeat purchase (the model lets customers drop out
// only after a purchase).
double bgnbd_p_alive(const BgNbdParams& p, double x, double t_x, double T);

// E[purchases in (T, T + t] | x, t_x, T], eq. 10, with 2F1 from hypergeometric.hpp. An error only
// when 2F1 cannot be evaluated.
Result<double> bgnbd_expected_purchases(const BgNbdParams& p, double x, double t_x, double T, double t);

struct BgNbdFit {
  BgNbdParams params;
  double log_likelihood = 0;
  std::int64_t customers = 0;
  int evaluations = 0;  // of the likelihood, by the optimiser
};

// Maximum-likelihood estimates on `customers` (see optimiser.hpp for the method). An error when
// the optimiser did not converge or the estimates are not finite numbers.
Result<BgNbdFit> fit_bgnbd(std::span<const CustomerSummary> customers);

}  // namespace regua
