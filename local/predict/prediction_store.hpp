#pragma once
// Where predictions live in the ledger (tables prediction_fits and customer_predictions, migration
// 4; docs/predictions.md), so that segments and rules read P(alive) and CLV without refitting.

#include <cstdint>
#include <optional>
#include <string>

#include "local/core/clock.hpp"
#include "local/core/money.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"
#include "local/predict/predictions.hpp"

namespace regua {

// Records the fit and replaces every customer's figures with the run's, in one transaction (a
// reader sees the previous fit or this one, never a mix). Returns the fit's id.
Result<std::int64_t> save_predictions(sqlite::Db& db, const PredictionRun& run, const Clock& clock);

// One customer's figures from the latest fit, with what they mean (horizons, as-of date).
struct StoredPrediction {
  std::int64_t customer_id = 0;
  std::int64_t fit_id = 0;
  std::string as_of;  // store-local date, YYYY-MM-DD
  Seconds fitted_at{};
  std::int64_t purchase_days = 0;
  double p_alive = 0;
  double expected_purchases = 0;
  int horizon_days = 0;
  std::optional<Cents> expected_spend;
  std::optional<Cents> clv;
  int clv_days = 0;
};

// Empty when the customer has no prediction (unknown customer, or no purchase by the fit's date, or
// no fit yet).
Result<std::optional<StoredPrediction>> load_customer_prediction(sqlite::Db& db, std::int64_t customer_id);

}  // namespace regua
