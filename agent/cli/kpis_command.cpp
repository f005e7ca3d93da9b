// `regua-agent kpis --from DATE --to DATE [--by day|week|month] [--json]`: the store's retention KPIs
// (local/analysis/kpis.hpp); docs/kpis.md defines every figure and the JSON. `--actions` is revenue
// per action (kpis_actions_command.cpp).

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent/cli/analysis_commands.hpp"
#include "agent/cli/common.hpp"
#include "local/analysis/kpis.hpp"
#include "local/predict/predictions.hpp"

namespace regua {
namespace {

using nlohmann::ordered_json;

}  // namespace

Result<KpiGrouping> parse_kpi_grouping(const std::string& by) {
  if (by.empty()) return KpiGrouping::none;
  if (by == "day") return KpiGrouping::day;
  if (by == "week") return KpiGrouping::week;
  if (by == "month") return KpiGrouping::month;
  return make_error(ErrorKind::usage, "unknown --by \"" + by + "\" (allowed: day, week, month)");
}

namespace {

std::string_view grouping_name(KpiGrouping g) {
  switch (g) {
    case KpiGrouping::none:
      return "none";
    case KpiGrouping::day:
      return "day";
    case KpiGrouping::week:
      return "week";
    case KpiGrouping::month:
      return "month";
  }
  return "none";
}

template <class T>
ordered_json value_or_null(const std::optional<T>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}

ordered_json period_json(const KpiPeriod& p) {
  ordered_json j;
  j["period"] = p.label;
  j["from"] = format_local_day(p.first_day);
  j["to"] = format_local_day(p.last_day);
  j["orders"] = p.orders;
  j["identified_orders"] = p.identified_orders;
  j["anonymous_orders"] = p.anonymous_orders;
  j["revenue_cents"] = p.revenue;
  j["average_ticket_cents"] = value_or_null(p.average_ticket);
  j["customers_at_start"] = p.customers_at_start;
  j["customers_at_end"] = p.customers_at_end;
  j["new_customers"] = p.new_customers;
  j["returning_customers"] = p.returning_customers;
  j["buyers"] = p.buyers;
  j["retained_customers"] = p.retained_customers;
  j["reactivated_customers"] = p.reactivated_customers;
  j["lost_customers"] = p.lost_customers;
  j["repeat_buyers"] = p.repeat_buyers;
  j["customers_total"] = p.customers_total;
  j["retention_rate"] = value_or_null(p.retention_rate);
  j["churn_rate"] = value_or_null(p.churn_rate);
  j["repeat_purchase_rate"] = value_or_null(p.repeat_purchase_rate);
  j["active_base_share"] = value_or_null(p.active_base_share);
  j["purchase_frequency"] = value_or_null(p.purchase_frequency);
  j["historic_clv_cents"] = value_or_null(p.historic_clv);
  return j;
}

std::string pct(const std::optional<double>& v) {
  return v ? fmt::format("{:.2f}%", *v) : "-";
}

std::string report_money(const std::optional<Cents>& v) {
  return v ? format_cents(*v) : "-";
}

void print_kpis(const AgentConfig& config, const KpiReport& r) {
  fmt::print("KPIs of store {} from {} to {} (active: bought in the last {} days; docs/kpis.md)\n\n",
             config.store.id, format_local_day(r.first_day), format_local_day(r.last_day), r.active_days);
  fmt::print("{:<24} {:>8} {:>13} {:>10} {:>6} {:>6} {:>6} {:>6} {:>9} {:>8} {:>8} {:>8} {:>6} {:>10}\n",
             "period", "orders", "revenue", "ticket", "CS", "CE", "new", "ret.", "retention", "churn",
             "repeat", "active", "freq", "hist. CLV");
  auto row = [](const KpiPeriod& p) {
    fmt::print("{:<24} {:>8} {:>13} {:>10} {:>6} {:>6} {:>6} {:>6} {:>9} {:>8} {:>8} {:>8} {:>6} {:>10}\n",
               p.label, p.orders, format_cents(p.revenue), report_money(p.average_ticket),
               p.customers_at_start, p.customers_at_end, p.new_customers, p.returning_customers,
               pct(p.retention_rate), pct(p.churn_rate), pct(p.repeat_purchase_rate),
               pct(p.active_base_share),
               p.purchase_frequency ? fmt::format("{:.2f}", *p.purchase_frequency) : "-",
               report_money(p.historic_clv));
  };
  if (r.grouping != KpiGrouping::none) {
    for (const auto& p : r.periods)
      row(p);
  }
  row(r.total);
  fmt::print(
      "\nCS/CE: active customers at the start/end; retention = (CE - new) / CS; churn = active at the start "
      "but not "
      "at the end / CS;\nrepeat = buyers with 2+ purchases to date / buyers; active = CE / customers to "
      "date; "
      "freq = identified orders / buyers.\n");
}

}  // namespace

ordered_json kpis_json(const AgentConfig& config, const KpiReport& report) {
  ordered_json j;
  j["store"] = config.store.id;
  j["from"] = format_local_day(report.first_day);
  j["to"] = format_local_day(report.last_day);
  j["by"] = std::string(grouping_name(report.grouping));
  j["active_days"] = report.active_days;
  auto& periods = j["periods"] = ordered_json::array();
  for (const auto& p : report.periods)
    periods.push_back(period_json(p));
  j["total"] = period_json(report.total);
  return j;
}

int kpis_command(const AgentConfig& config, const KpisOptions& options) {
  if (options.actions) return kpis_actions_command(config, options);
  if (options.from.empty() || options.to.empty()) {
    return report_error(
        make_error(ErrorKind::usage,
                   "kpis needs --from DATE and --to DATE, the range to measure (with --actions "
                   "they are optional: revenue per action over all the history)"));
  }
  auto grouping = parse_kpi_grouping(options.by);
  if (!grouping) return report_error(grouping.error());
  auto from = parse_day_option(options.from, "--from");
  if (!from) return report_error(from.error());
  auto to = parse_day_option(options.to, "--to");
  if (!to) return report_error(to.error());
  auto policy = analysis_policy(config);
  if (!policy) return report_error(policy.error());
  SystemClock clock;
  auto ledger = open_ledger_for_reading(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto& db = ledger->db();
  if (auto s = db.exec("BEGIN"); !s) return report_error(s.error());
  auto report = compute_kpis(db, *policy, *from, *to, *grouping);
  (void)db.exec("COMMIT");
  if (!report) return report_error(report.error());
  if (options.json) {
    fmt::print("{}\n",
               kpis_json(config, *report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    print_kpis(config, *report);
  }
  return kExitOk;
}

}  // namespace regua
