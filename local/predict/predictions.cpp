#include "local/predict/predictions.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "local/core/timestamp.hpp"

namespace regua {
namespace {

constexpr int kDaysPerMonth = 30;

std::string days_text(std::int64_t n) {
  return std::to_string(n) + (n == 1 ? " day" : " days");
}

Result<double> discounted_clv(const BgNbdParams& p, const CustomerSummary& c, double spend,
                              const PredictionOptions& o) {
  const double unit = days_per_unit(o.unit);
  if (o.monthly_discount == 0) {
    auto n = bgnbd_expected_purchases(p, c.x, c.t_x, c.T, o.clv_days / unit);
    if (!n) return n.error();
    return *n * spend;
  }
  double total = 0, before = 0;
  for (int month = 1; (month - 1) * kDaysPerMonth < o.clv_days; ++month) {
    const int end_day = std::min(month * kDaysPerMonth, o.clv_days);
    auto upto = bgnbd_expected_purchases(p, c.x, c.t_x, c.T, end_day / unit);
    if (!upto) return upto.error();
    total += (*upto - before) * spend / std::pow(1.0 + o.monthly_discount, month);
    before = *upto;
  }
  return total;
}

Cents to_cents(double currency_units) {
  return static_cast<Cents>(std::llround(currency_units * 100.0));
}

}  // namespace

std::string format_local_day(std::int64_t day) {
  return format_date(std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}});
}

Status check_history(std::span<const CustomerSummary> customers, std::int64_t as_of_day,
                     const HistoryRequirements& requirements) {
  const std::string when = "up to " + format_local_day(as_of_day);
  if (customers.empty()) {
    return make_error(ErrorKind::input, "no customer has bought " + when +
                                            " (sales without a customer do not count): predictions need "
                                            "at least " +
                                            std::to_string(requirements.min_customers) +
                                            " customers, and a history of at least " +
                                            days_text(requirements.min_history_days));
  }
  std::int64_t first_day = customers.front().first_day, repeat = 0;
  for (const auto& c : customers) {
    first_day = std::min(first_day, c.first_day);
    if (c.x > 0) ++repeat;
  }
  const auto history_days = as_of_day - first_day;
  if (history_days < requirements.min_history_days) {
    return make_error(ErrorKind::input, "the history " + when + " covers " + days_text(history_days) +
                                            " (since " + format_local_day(first_day) +
                                            "); predictions need at least " +
                                            days_text(requirements.min_history_days) + ": wait " +
                                            days_text(requirements.min_history_days - history_days) +
                                            " more, or import older sales with `regua-agent import`");
  }
  const auto n = static_cast<std::int64_t>(customers.size());
  // At the pace so far (customers, or returning customers, per day of history), how long until
  // there are enough: a rough but honest answer to "when can I use this?".
  auto more_time = [&](std::int64_t have, std::int64_t need) -> std::string {
    if (have <= 0) return "no estimate yet of how long that takes";
    const std::int64_t days = ((need - have) * std::max<std::int64_t>(history_days, 1) + have - 1) / have;
    return "at the pace so far that is about " + days_text(days) + " more of history";
  };
  if (n < requirements.min_customers) {
    return make_error(ErrorKind::input, "only " + std::to_string(n) + " customers bought " + when +
                                            "; predictions need at least " +
                                            std::to_string(requirements.min_customers) + ": " +
                                            more_time(n, requirements.min_customers));
  }
  if (repeat < requirements.min_repeat_customers) {
    return make_error(ErrorKind::input,
                      "only " + std::to_string(repeat) + " of " + std::to_string(n) +
                          " customers came back " + when +
                          " (bought on a second day); predictions need at least " +
                          std::to_string(requirements.min_repeat_customers) +
                          " returning customers: " + more_time(repeat, requirements.min_repeat_customers));
  }
  return {};
}

Result<PredictionRun> predict_customers(std::span<const CustomerSummary> customers,
                                        const PredictionOptions& options) {
  if (options.horizon_days < 1 || options.clv_days < 1 || !(options.monthly_discount >= 0)) {
    return make_error(ErrorKind::usage,
                      "predictions need horizons of at least one day and a monthly discount "
                      "of zero or more");
  }
  if (auto s = check_history(customers, options.as_of_day, options.requirements); !s) return s.error();
  PredictionRun run;
  run.options = options;
  for (const auto& c : customers)
    run.repeat_customers += c.x > 0 ? 1 : 0;
  auto purchases = fit_bgnbd(customers);
  if (!purchases) return purchases.error();
  run.purchases = *purchases;
  auto spend = fit_gamma_gamma(customers);
  if (spend) {
    run.spend = *spend;
  } else {
    run.spend_problem = spend.error().message;
  }

  const BgNbdParams& p = run.purchases.params;
  const double horizon = options.horizon_days / days_per_unit(options.unit);
  run.customers.reserve(customers.size());
  for (const auto& c : customers) {
    CustomerPrediction out;
    out.summary = c;
    out.p_alive = bgnbd_p_alive(p, c.x, c.t_x, c.T);
    auto n = bgnbd_expected_purchases(p, c.x, c.t_x, c.T, horizon);
    if (!n) return n.error().within("customer " + std::to_string(c.customer_id));
    out.expected_purchases = *n;
    if (run.spend) {
      const auto value = gamma_gamma_expected_spend(run.spend->params, c.x, c.average_repeat_value());
      if (value) {
        out.expected_spend = to_cents(*value);
        auto clv = discounted_clv(p, c, *value, options);
        if (!clv) return clv.error().within("customer " + std::to_string(c.customer_id));
        out.clv = to_cents(*clv);
      }
    }
    run.customers.push_back(std::move(out));
  }
  return run;
}

}  // namespace regua
