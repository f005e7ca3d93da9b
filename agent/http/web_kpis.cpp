#include "agent/http/web_kpis.hpp"

#include "agent/cli/analysis_commands.hpp"
#include "agent/cli/doctor_checks.hpp"
#include "agent/cli/status_report.hpp"
#include "agent/http/svg_chart.hpp"
#include "local/predict/predictions.hpp"

namespace regua {
namespace {

using nlohmann::ordered_json;

struct ResolvedRange {
  std::int64_t from = 0, to = 0;
  KpiGrouping by = KpiGrouping::month;
};

Result<ResolvedRange> resolve_kpi_range(const KpiRange& range, const SegmentPolicy& policy, Seconds now) {
  ResolvedRange r;
  r.to = policy.local_day(now);
  if (!range.to.empty()) {
    auto d = parse_day_option(range.to, "to");
    if (!d) return d.error();
    r.to = *d;
  }
  r.from = r.to - 364;
  if (!range.from.empty()) {
    auto d = parse_day_option(range.from, "from");
    if (!d) return d.error();
    r.from = *d;
  }
  if (!range.by.empty()) {
    auto by = parse_kpi_grouping(range.by);
    if (!by) return by.error();
    r.by = *by == KpiGrouping::none ? KpiGrouping::month : *by;
  }
  return r;
}

Result<KpiReport> kpi_report_in_snapshot(sqlite::Db& db, const SegmentPolicy& policy,
                                         const ResolvedRange& r) {
  if (auto s = db.exec("BEGIN"); !s) return s.error();
  auto report = compute_kpis(db, policy, r.from, r.to, r.by);
  (void)db.exec("COMMIT");
  return report;
}

// "2026-03" -> "03/2026" (pt-BR) or "2026-03" (en); "2026-03-01" -> "01/03" or "3/1".
std::string chart_period_label(const std::string& label, const std::string& lang) {
  if (label.size() == 7) return lang == "en" ? label : label.substr(5, 2) + "/" + label.substr(0, 4);
  if (label.size() != 10) return label;
  if (lang != "en") return label.substr(8, 2) + "/" + label.substr(5, 2);
  const auto month = std::stoi(label.substr(5, 2));
  const auto day = std::stoi(label.substr(8, 2));
  return std::to_string(month) + "/" + std::to_string(day);
}

}  // namespace

Result<ordered_json> web_kpis_json(sqlite::Db& db, const AgentConfig& config, const SegmentPolicy& policy,
                                   const KpiRange& range, Seconds now) {
  auto r = resolve_kpi_range(range, policy, now);
  if (!r) return r.error();
  auto report = compute_kpis(db, policy, r->from, r->to, r->by);
  if (!report) return report.error();
  return kpis_json(config, *report);
}

Result<std::string> web_kpi_chart(sqlite::Db& db, const AgentConfig& config, const SegmentPolicy& policy,
                                  const KpiRange& range, const std::string& chart, const std::string& lang,
                                  Seconds now) {
  auto r = resolve_kpi_range(range, policy, now);
  if (!r) return r.error();
  auto report = kpi_report_in_snapshot(db, policy, *r);
  if (!report) return report.error();
  const bool en = lang == "en";
  ChartSpec spec;
  spec.lang = en ? "en" : "pt-BR";
  spec.no_data = en ? "No figures in this range" : "Sem números neste período";
  for (const auto& p : report->periods)
    spec.labels.push_back(chart_period_label(p.label, spec.lang));
  const auto series = [&](std::string name, auto figure) {
    ChartSeries s{std::move(name), {}};
    for (const auto& p : report->periods)
      s.values.push_back(figure(p));
    spec.series.push_back(std::move(s));
  };
  if (chart == "retention") {
    spec.title = en ? "Retention rate" : "Taxa de retenção";
    spec.unit = ChartUnit::percent;
    series(spec.title, [](const KpiPeriod& p) { return p.retention_rate; });
  } else if (chart == "active_base") {
    spec.title = en ? "Active base" : "Base ativa";
    spec.unit = ChartUnit::percent;
    series(spec.title, [](const KpiPeriod& p) { return p.active_base_share; });
  } else if (chart == "new_returning") {
    spec.title = en ? "New and returning customers" : "Clientes novos e recorrentes";
    spec.kind = ChartKind::bars;
    series(en ? "New" : "Novos",
           [](const KpiPeriod& p) { return std::optional<double>(static_cast<double>(p.new_customers)); });
    series(en ? "Returning" : "Recorrentes", [](const KpiPeriod& p) {
      return std::optional<double>(static_cast<double>(p.returning_customers));
    });
  } else if (chart == "revenue_per_action") {
    spec.title = en ? "Incremental revenue of the rules" : "Receita incremental das réguas";
    spec.kind = ChartKind::bars;
    spec.unit = ChartUnit::cents;
    ChartSeries s{spec.title, {}};
    for (const auto& p : report->periods) {
      auto effects = gather_action_effects(config, db, p.first_day, p.last_day, now);
      if (!effects) return effects.error();
      std::optional<double> sum;
      for (const auto& e : effects->effects)
        if (e.incremental) sum = sum.value_or(0) + *e.incremental;
      s.values.push_back(sum);
    }
    spec.series.push_back(std::move(s));
  } else {
    return make_error(ErrorKind::usage, "no chart \"" + chart +
                                            "\" (allowed: retention, active_base, new_returning, "
                                            "revenue_per_action)");
  }
  return render_svg_chart(spec);
}

Result<ordered_json> web_status_json(const AgentConfig& config, Ledger& ledger) {
  auto report = gather_status(config, ledger);
  if (!report) return report.error();
  auto j = render_status_json(*report);
  j["thresholds"] = {{"identified_sales_share", kMinIdentifiedSales},
                     {"valid_mobile_share", kMinCustomersWithMobile},
                     {"valid_email_share", kMinCustomersWithEmail}};
  return j;
}

}  // namespace regua
