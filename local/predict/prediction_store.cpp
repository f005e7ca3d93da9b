#include "local/predict/prediction_store.hpp"

namespace regua {
namespace {

void bind_optional(sqlite::Stmt& stmt, int index, const std::optional<Cents>& v) {
  if (v) {
    stmt.bind(index, *v);
  } else {
    stmt.bind_null(index);
  }
}

}  // namespace

Result<std::int64_t> save_predictions(sqlite::Db& db, const PredictionRun& run, const Clock& clock) {
  const std::string where = "saving the predictions";
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error().within(where);
  auto fit = db.prepare(R"sql(
INSERT INTO prediction_fits (fitted_at, as_of, time_unit, customers, repeat_customers, bgnbd_r, bgnbd_alpha,
  bgnbd_a, bgnbd_b, bgnbd_log_likelihood, spend_p, spend_q, spend_v, spend_log_likelihood, spend_customers,
  spend_problem, horizon_days, clv_days, monthly_discount)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19))sql");
  if (!fit) return fit.error().within(where);
  const auto& o = run.options;
  const auto& p = run.purchases.params;
  fit->bind(1, static_cast<std::int64_t>(clock.now().time_since_epoch().count()))
      .bind(2, std::string_view(format_local_day(o.as_of_day)))
      .bind(3, time_unit_name(o.unit))
      .bind(4, static_cast<std::int64_t>(run.customers.size()))
      .bind(5, run.repeat_customers)
      .bind(6, p.r)
      .bind(7, p.alpha)
      .bind(8, p.a)
      .bind(9, p.b)
      .bind(10, run.purchases.log_likelihood);
  if (run.spend) {
    fit->bind(11, run.spend->params.p)
        .bind(12, run.spend->params.q)
        .bind(13, run.spend->params.v)
        .bind(14, run.spend->log_likelihood)
        .bind(15, run.spend->customers)
        .bind_null(16);
  } else {
    fit->bind_null(11).bind_null(12).bind_null(13).bind_null(14).bind_null(15);
    fit->bind(16, std::string_view(run.spend_problem));
  }
  fit->bind(17, static_cast<std::int64_t>(o.horizon_days))
      .bind(18, static_cast<std::int64_t>(o.clv_days))
      .bind(19, o.monthly_discount);
  if (auto s = fit->run(); !s) return s.error().within(where);
  const std::int64_t fit_id = db.last_insert_rowid();

  if (auto s = db.exec("DELETE FROM customer_predictions"); !s) return s.error().within(where);
  auto row = db.prepare(R"sql(
INSERT INTO customer_predictions (customer_id, fit_id, purchase_days, p_alive, expected_purchases,
  expected_spend_cents, clv_cents)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))sql");
  if (!row) return row.error().within(where);
  for (const auto& c : run.customers) {
    row->bind(1, c.summary.customer_id)
        .bind(2, fit_id)
        .bind(3, c.summary.occasions)
        .bind(4, c.p_alive)
        .bind(5, c.expected_purchases);
    bind_optional(*row, 6, c.expected_spend);
    bind_optional(*row, 7, c.clv);
    if (auto s = row->run(); !s) return s.error().within(where);
  }
  if (auto s = txn->commit(); !s) return s.error().within(where);
  return fit_id;
}

Result<std::optional<StoredPrediction>> load_customer_prediction(sqlite::Db& db, std::int64_t customer_id) {
  auto stmt = db.prepare(R"sql(
SELECT c.customer_id, c.fit_id, f.as_of, f.fitted_at, c.purchase_days, c.p_alive, c.expected_purchases,
       f.horizon_days, c.expected_spend_cents, c.clv_cents, f.clv_days
FROM customer_predictions c JOIN prediction_fits f ON f.id = c.fit_id
WHERE c.customer_id = ?1)sql");
  if (!stmt) return stmt.error().within("reading a customer's prediction");
  stmt->bind(1, customer_id);
  auto found = stmt->step();
  if (!found) return found.error().within("reading a customer's prediction");
  if (!*found) return std::optional<StoredPrediction>{};
  StoredPrediction p;
  p.customer_id = stmt->int64(0);
  p.fit_id = stmt->int64(1);
  p.as_of = std::string(stmt->text(2));
  p.fitted_at = Seconds{std::chrono::seconds{stmt->int64(3)}};
  p.purchase_days = stmt->int64(4);
  p.p_alive = stmt->real(5);
  p.expected_purchases = stmt->real(6);
  p.horizon_days = static_cast<int>(stmt->int64(7));
  if (!stmt->is_null(8)) p.expected_spend = stmt->int64(8);
  if (!stmt->is_null(9)) p.clv = stmt->int64(9);
  p.clv_days = static_cast<int>(stmt->int64(10));
  stmt->reset();
  return std::optional<StoredPrediction>{std::move(p)};
}

}  // namespace regua
