#pragma once
// The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV: Using
// Iso-value Curves for Customer Base Analysis", Journal of Marketing Research 42(4); the form of the
// `lifetimes` library's GammaGammaFitter): a customer's purchase values are Gamma(p, nu) around the
// customer's own mean, and nu is Gamma(q, v) across customers. Fitted on the average value m of
// each customer's x > 0 repeat purchase occasions; it assumes spend is independent of frequency.
//
// Money is in currency units here (cents / 100), so v is in currency units and p, q have none.

#include <cstdint>
#include <optional>
#include <span>

#include "local/core/result.hpp"
#include "local/predict/summaries.hpp"

namespace regua {

struct GammaGammaParams {
  double p = 0, q = 0, v = 0;
};

// log f(m | p, q, v, x), the density of a customer's average of x purchase values:
// Gamma(px+q) / (Gamma(px) Gamma(q)) * v^q x^(px) m^(px-1) / (v + x m)^(px+q).
double gamma_gamma_log_likelihood(const GammaGammaParams& g, double x, double m);

// E[value of a purchase | x, m] = p (v + x m) / (p x + q - 1); for a customer with no repeat
// purchase (x = 0) the population mean p v / (q - 1). Empty when that expectation is infinite
// (q <= 1 for x = 0, p x + q <= 1 otherwise).
std::optional<double> gamma_gamma_expected_spend(const GammaGammaParams& g, double x, double m);

struct GammaGammaFit {
  GammaGammaParams params;
  double log_likelihood = 0;
  std::int64_t customers = 0;  // those with x > 0 and a positive average value
  int evaluations = 0;
};

// Maximum-likelihood estimates on the customers with repeat purchases of positive value (the others
// carry no information on spend per purchase). An error when none qualifies or the fit fails.
Result<GammaGammaFit> fit_gamma_gamma(std::span<const CustomerSummary> customers);

}  // namespace regua
