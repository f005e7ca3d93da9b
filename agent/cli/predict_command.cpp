// `regua-agent predict`: fits the prediction models on the ledger's history up to a date, prints
// the fitted parameters and each customer's figures, and stores them in the ledger for segments and
// rules (docs/predictions.md, docs/cli.md).

#include <algorithm>
#include <unordered_map>

#include <date/tz.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "local/core/timestamp.hpp"
#include "local/predict/prediction_store.hpp"
#include "local/predict/predictions.hpp"
#include "local/predict/summaries.hpp"

namespace regua {
namespace {

// The store-local day of an instant, remembering the zone's current offset period: sales come in
// customer order, not time order, but most fall in a handful of periods, so the zone's table is
// consulted only when an instant leaves the period at hand.
class StoreDays {
 public:
  explicit StoreDays(const date::time_zone& zone) : zone_(&zone) {}

  std::int64_t operator()(Seconds t) {
    if (!(t >= begin_ && t < end_)) {
      const auto info = zone_->get_info(t);
      begin_ = Seconds{info.begin.time_since_epoch()};
      end_ = Seconds{info.end.time_since_epoch()};
      offset_ = info.offset;
    }
    return std::chrono::floor<std::chrono::days>(t + offset_).time_since_epoch().count();
  }

 private:
  const date::time_zone* zone_;
  Seconds begin_{}, end_{};
  std::chrono::seconds offset_{0};
};

Result<TimeUnit> parse_unit(const std::string& text) {
  if (text == "week" || text == "weeks") return TimeUnit::week;
  if (text == "day" || text == "days") return TimeUnit::day;
  return make_error(ErrorKind::usage, "unknown --unit \"" + text + "\" (allowed: week, day)");
}

Result<std::int64_t> as_of_day(const PredictOptions& options, const date::time_zone& zone,
                               const Clock& clock) {
  if (options.at) {
    auto date = parse_date(*options.at);
    if (!date) return make_error(ErrorKind::usage, "--at: " + date.error().message);
    return std::chrono::sys_days{*date}.time_since_epoch().count();
  }
  StoreDays days(zone);
  return days(clock.now());
}

struct CustomerLabel {
  std::optional<std::string> pos_id, name;
};

Result<std::unordered_map<std::int64_t, CustomerLabel>> load_labels(sqlite::Db& db) {
  auto stmt = db.prepare("SELECT id, pos_id, name FROM customers");
  if (!stmt) return stmt.error();
  std::unordered_map<std::int64_t, CustomerLabel> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    out[stmt->int64(0)] = CustomerLabel{stmt->optional_text(1), stmt->optional_text(2)};
  }
  return out;
}

nlohmann::ordered_json cents_or_null(const std::optional<Cents>& c) {
  return c ? nlohmann::ordered_json(*c) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json text_or_null(const std::optional<std::string>& s) {
  return s ? nlohmann::ordered_json(*s) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json prediction_json(const AgentConfig& config, const PredictionRun& run,
                                       std::int64_t fit_id,
                                       const std::unordered_map<std::int64_t, CustomerLabel>& labels) {
  const auto& o = run.options;
  const auto& p = run.purchases;
  nlohmann::ordered_json out;
  out["store"] = config.store.id;
  out["as_of"] = format_local_day(o.as_of_day);
  out["fit_id"] = fit_id;
  out["time_unit"] = std::string(time_unit_name(o.unit));
  out["customers"] = run.customers.size();
  out["repeat_customers"] = run.repeat_customers;
  out["horizon_days"] = o.horizon_days;
  out["clv_days"] = o.clv_days;
  out["monthly_discount"] = o.monthly_discount;
  out["purchase_model"] = {{"model", "BG/NBD"},       {"r", p.params.r}, {"alpha", p.params.alpha},
                           {"a", p.params.a},         {"b", p.params.b}, {"log_likelihood", p.log_likelihood},
                           {"customers", p.customers}};
  if (run.spend) {
    const auto& s = *run.spend;
    out["spend_model"] = {{"model", "Gamma-Gamma"},
                          {"p", s.params.p},
                          {"q", s.params.q},
                          {"v", s.params.v},
                          {"log_likelihood", s.log_likelihood},
                          {"customers", s.customers}};
    out["spend_problem"] = nullptr;
  } else {
    out["spend_model"] = nullptr;
    out["spend_problem"] = run.spend_problem;
  }
  auto& list = out["predictions"] = nlohmann::ordered_json::array();
  for (const auto& c : run.customers) {
    const auto label = labels.find(c.summary.customer_id);
    nlohmann::ordered_json row;
    row["customer_id"] = c.summary.customer_id;
    row["customer"] =
        label != labels.end() ? text_or_null(label->second.pos_id) : nlohmann::ordered_json(nullptr);
    row["name"] = label != labels.end() ? text_or_null(label->second.name) : nlohmann::ordered_json(nullptr);
    row["first_purchase"] = format_local_day(c.summary.first_day);
    row["last_purchase"] = format_local_day(c.summary.last_day);
    row["x"] = c.summary.occasions - 1;
    row["t_x"] = c.summary.t_x;
    row["T"] = c.summary.T;
    row["p_alive"] = c.p_alive;
    row["expected_purchases"] = c.expected_purchases;
    row["expected_spend_cents"] = cents_or_null(c.expected_spend);
    row["clv_cents"] = cents_or_null(c.clv);
    list.push_back(std::move(row));
  }
  return out;
}

std::string money_or_dash(const std::optional<Cents>& c) {
  return c ? format_cents(*c) : "-";
}

void print_prediction_text(const AgentConfig& config, const PredictionRun& run, std::int64_t fit_id,
                           const std::unordered_map<std::int64_t, CustomerLabel>& labels, int limit) {
  const auto& o = run.options;
  const auto unit = time_unit_name(o.unit);
  const auto& p = run.purchases;
  fmt::print("Predictions for store {} on its history up to the end of {} (time unit: {}); saved as fit {}\n",
             config.store.id, format_local_day(o.as_of_day), unit, fit_id);
  fmt::print("Customers: {}, of whom {} came back (bought on a second day)\n", run.customers.size(),
             run.repeat_customers);
  fmt::print(
      "Purchases (BG/NBD): r = {:.4f}, alpha = {:.4f} {}s, a = {:.4f}, b = {:.4f}; log-likelihood {:.2f}\n",
      p.params.r, p.params.alpha, unit, p.params.a, p.params.b, p.log_likelihood);
  if (run.spend) {
    const auto& s = *run.spend;
    fmt::print(
        "Spend per purchase (Gamma-Gamma, {} customers): p = {:.4f}, q = {:.4f}, v = {:.4f}; log-likelihood "
        "{:.2f}\n",
        s.customers, s.params.p, s.params.q, s.params.v, s.log_likelihood);
  } else {
    fmt::print("Spend per purchase: no model, so no CLV ({})\n", run.spend_problem);
  }
  std::vector<const CustomerPrediction*> rows;
  for (const auto& c : run.customers)
    rows.push_back(&c);
  // Most valuable first: CLV, then expected purchases for customers without one.
  std::stable_sort(rows.begin(), rows.end(), [](const CustomerPrediction* a, const CustomerPrediction* b) {
    if (a->clv.value_or(-1) != b->clv.value_or(-1)) return a->clv.value_or(-1) > b->clv.value_or(-1);
    return a->expected_purchases > b->expected_purchases;
  });
  const std::size_t shown = limit <= 0 ? rows.size() : std::min(rows.size(), static_cast<std::size_t>(limit));
  fmt::print("\n{:<16} {:<24} {:>6} {:>8} {:>12} {:>12} {:>12}\n", "customer", "name", "days", "P(alive)",
             fmt::format("buys {}d", o.horizon_days), "per purchase", fmt::format("CLV {}d", o.clv_days));
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& c = *rows[i];
    const auto label = labels.find(c.summary.customer_id);
    const std::string id = label != labels.end() && label->second.pos_id
                               ? *label->second.pos_id
                               : "#" + std::to_string(c.summary.customer_id);
    const std::string name = label != labels.end() && label->second.name ? *label->second.name : "";
    fmt::print("{:<16} {:<24} {:>6} {:>8.3f} {:>12.2f} {:>12} {:>12}\n", id, name.substr(0, 24),
               c.summary.occasions, c.p_alive, c.expected_purchases, money_or_dash(c.expected_spend),
               money_or_dash(c.clv));
  }
  if (shown < rows.size()) {
    fmt::print("... and {} more customers (--limit 0 shows all; --json lists everyone)\n",
               rows.size() - shown);
  }
}

}  // namespace

int predict_command(const AgentConfig& config, const PredictOptions& options) {
  auto unit = parse_unit(options.unit);
  if (!unit) return report_error(unit.error());
  if (config.store.zone == nullptr) {
    return report_error(
        make_error(ErrorKind::config, "[store] timezone is not set to a known IANA time zone"));
  }
  SystemClock clock;
  auto day = as_of_day(options, *config.store.zone, clock);
  if (!day) return report_error(day.error());

  PredictionOptions prediction;
  prediction.as_of_day = *day;
  prediction.unit = *unit;
  prediction.horizon_days = options.horizon_days;
  prediction.clv_days = options.clv_days;
  prediction.monthly_discount = options.monthly_discount;

  // A fit is a write (the results are stored), so the ledger is opened as `import` opens it.
  auto ledger = open_ledger_for_writing(config, clock);
  if (!ledger) return report_error(ledger.error());
  StoreDays store_days(*config.store.zone);
  auto summaries = load_customer_summaries(ledger->db(), *day, std::ref(store_days), *unit);
  if (!summaries) return report_error(summaries.error());
  auto run = predict_customers(*summaries, prediction);
  if (!run) return report_error(run.error().within("predict"));
  auto fit_id = save_predictions(ledger->db(), *run, clock);
  if (!fit_id) return report_error(fit_id.error());
  auto labels = load_labels(ledger->db());
  if (!labels) return report_error(labels.error());

  if (options.json) {
    fmt::print("{}\n", prediction_json(config, *run, *fit_id, *labels)
                           .dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    print_prediction_text(config, *run, *fit_id, *labels, options.limit);
  }
  return kExitOk;
}

}  // namespace regua
