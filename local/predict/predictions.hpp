#pragma once
// Per-customer predictions from a store's history: fits BG/NBD (purchases) and Gamma-Gamma (spend)
// on the customers' summaries, then gives each customer P(alive), the expected number of purchases
// in the next N days, the expected value of a purchase and a predicted CLV.
//
// CLV over H days = sum over 30-day months i = 1..ceil(H/30) of (expected purchases in month i) x
// (expected value of a purchase) / (1 + d)^i, the last month cut at H. With the default monthly
// discount d = 0 it is simply the expected purchases over H days times the expected value: a
// store's owner reads it as "what this customer will likely spend in the next year", and a
// discount rate is a finance choice the store can make (--monthly-discount).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "local/core/money.hpp"
#include "local/core/result.hpp"
#include "local/predict/bgnbd.hpp"
#include "local/predict/gamma_gamma.hpp"
#include "local/predict/summaries.hpp"

namespace regua {

// The least history a fit is attempted on. Below it the estimates are noise (four parameters from a
// handful of returning customers) and would drive rules with confident-looking nonsense.
struct HistoryRequirements {
  std::int64_t min_customers = 50;
  std::int64_t min_repeat_customers = 20;  // customers who bought on at least two days
  std::int64_t min_history_days = 56;      // from the first sale to the as-of date
};

struct PredictionOptions {
  std::int64_t as_of_day = 0;  // store-local date, days since 1970-01-01; history up to its end
  TimeUnit unit = TimeUnit::week;
  int horizon_days = 90;  // expected purchases over the next horizon_days
  int clv_days = 365;     // CLV over the next clv_days
  double monthly_discount = 0;
  HistoryRequirements requirements;
};

struct CustomerPrediction {
  CustomerSummary summary;
  double p_alive = 0;
  double expected_purchases = 0;        // over horizon_days
  std::optional<Cents> expected_spend;  // of one purchase; empty without a spend model
  std::optional<Cents> clv;             // over clv_days; empty without a spend model
};

struct PredictionRun {
  PredictionOptions options;
  std::int64_t repeat_customers = 0;
  BgNbdFit purchases;
  std::optional<GammaGammaFit> spend;
  std::string spend_problem;  // why `spend` is empty: CLV is then unknown, the rest still holds
  std::vector<CustomerPrediction> customers;
};

// "2026-03-01" for a local day number.
std::string format_local_day(std::int64_t day);

// Whether `customers` are enough history to fit on; the error (ErrorKind::input) says what is
// missing, and how much more history that probably means at the store's pace so far.
Status check_history(std::span<const CustomerSummary> customers, std::int64_t as_of_day,
                     const HistoryRequirements& requirements);

// Checks the history, fits both models and predicts every customer. A failed spend fit is not an
// error: the run then carries no CLV and says why in `spend_problem`.
Result<PredictionRun> predict_customers(std::span<const CustomerSummary> customers,
                                        const PredictionOptions& options);

}  // namespace regua
