// `regua-agent kpis --actions [--from DATE] [--to DATE] [--json]`: revenue per action, each rule's
// sends against its control group (local/analysis/action_effects.hpp). docs/kpis.md defines every
// figure, the interval and the verdict, with a worked example a test checks.

#include <cmath>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent/cli/analysis_commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/rules/store_rules.hpp"
#include "local/analysis/action_effects.hpp"
#include "local/core/money.hpp"
#include "local/rules/durations.hpp"
#include "local/rules/store_zone.hpp"

namespace regua {
namespace {

using nlohmann::ordered_json;

// Money figures are whole cents, rounded half away from zero; rates are percentages to 2 decimals.
std::optional<std::int64_t> cents(const std::optional<double>& v) {
  if (!v) return std::nullopt;
  return std::llround(*v);
}

ordered_json cents_json(const std::optional<double>& v) {
  return v ? ordered_json(*cents(v)) : ordered_json(nullptr);
}

ordered_json percent_json(const std::optional<double>& v) {
  return v ? ordered_json(std::round(*v * 10'000) / 100) : ordered_json(nullptr);
}

ordered_json interval_json(const std::optional<double>& low, const std::optional<double>& high) {
  if (!low || !high) return nullptr;
  return ordered_json::array({*cents(low), *cents(high)});
}

ordered_json group_json(const GroupEffect& g, const char* actions) {
  std::optional<double> sd;
  if (g.variance) sd = std::sqrt(*g.variance);
  return {
      {"customers", g.customers},          {actions, g.actions},
      {"converted", g.converted},          {"conversion_rate", percent_json(g.conversion_rate)},
      {"revenue_cents", g.revenue_cents},  {"revenue_per_customer_cents", cents_json(g.revenue_per_customer)},
      {"revenue_sd_cents", cents_json(sd)}};
}

std::string estimate_money(const std::optional<double>& v) {
  return v ? format_cents(*cents(v)) : "-";
}

std::string verdict_text(const RuleEffect& e, int holdout_percent) {
  switch (e.verdict) {
    case EffectVerdict::too_small:
      if (e.holdout.customers == 0) {
        return holdout_percent == 0 ? "no control group: the rule holds nobody out (holdout = 0)"
                                    : "no control group yet: nobody held out so far";
      }
      return fmt::format(
          "too few customers to tell: {} sent to, {} held out; at least {} in each group are "
          "needed",
          e.treated.customers, e.holdout.customers, kMinGroupForVerdict);
    case EffectVerdict::no_measurable_effect:
      return fmt::format(
          "no measurable effect: the 95% interval of the incremental revenue, {} to {}, holds zero",
          estimate_money(e.incremental_low), estimate_money(e.incremental_high));
    case EffectVerdict::positive:
      return fmt::format("brings revenue: {} more per customer sent to (95%: {} to {}), {} in all",
                         estimate_money(e.uplift), estimate_money(e.uplift_low),
                         estimate_money(e.uplift_high), estimate_money(e.incremental));
    case EffectVerdict::negative:
      return fmt::format("loses revenue: {} per customer sent to (95%: {} to {}), {} in all",
                         estimate_money(e.uplift), estimate_money(e.uplift_low),
                         estimate_money(e.uplift_high), estimate_money(e.incremental));
  }
  return "";
}

}  // namespace

Result<ActionEffectsReport> gather_action_effects(const AgentConfig& config, sqlite::Db& db,
                                                  std::optional<std::int64_t> from_day,
                                                  std::optional<std::int64_t> to_day, Seconds now) {
  // Each rule's attribution window and share held out, as the agent runs them.
  auto rules = load_store_rules(config);
  if (!rules) return rules.error();
  ActionEffectsReport report;
  report.default_holdout_percent = rules->settings.holdout_percent;
  for (const Rule& r : rules->settings.rules) {
    report.running[r.id] = {r.measurement.attribution,
                            r.measurement.holdout_percent.value_or(rules->settings.holdout_percent)};
  }
  const StoreZone& zone = *rules->zone;
  ActionEffectsQuery query;
  if (from_day) query.from = zone.to_utc(*from_day, std::chrono::seconds{0});
  if (to_day) query.to = zone.to_utc(*to_day + 1, std::chrono::seconds{0});
  query.now = now;
  query.window = [&](std::string_view id) {
    auto it = report.running.find(id);
    return it == report.running.end() ? std::chrono::seconds{std::chrono::days{7}} : it->second.window;
  };
  if (auto s = db.exec("BEGIN"); !s) return s.error();
  auto effects = compute_action_effects(db, query);
  (void)db.exec("COMMIT");
  if (!effects) return effects.error();
  report.effects = std::move(*effects);
  return report;
}

int ActionEffectsReport::holdout_of(const std::string& rule_id) const {
  auto it = running.find(rule_id);
  return it == running.end() ? default_holdout_percent : it->second.holdout_percent;
}

ordered_json action_effects_json(const AgentConfig& config, const ActionEffectsReport& report,
                                 const std::string& from, const std::string& to) {
  ordered_json list = ordered_json::array();
  for (const auto& e : report.effects) {
    const bool on = report.running.count(e.rule_id) != 0;
    ordered_json j{
        {"rule", e.rule_id},
        {"running", on},
        {"holdout_percent", on ? ordered_json(report.holdout_of(e.rule_id)) : ordered_json(nullptr)},
        {"attribution_window", format_duration(e.window)},
        {"treated", group_json(e.treated, "sends")},
        {"holdout", group_json(e.holdout, "would_be_sends")},
        {"messages", e.messages},
        {"tasks", e.tasks},
        {"mixed_customers", e.mixed_customers},
        {"open_windows", e.open_windows},
        {"uplift_per_customer_cents", cents_json(e.uplift)},
        {"uplift_ci_cents", interval_json(e.uplift_low, e.uplift_high)},
        {"incremental_revenue_cents", cents_json(e.incremental)},
        {"incremental_ci_cents", interval_json(e.incremental_low, e.incremental_high)},
        {"verdict", effect_verdict_name(e.verdict)},
        {"verdict_text", verdict_text(e, report.holdout_of(e.rule_id))}};
    list.push_back(std::move(j));
  }
  return ordered_json{{"store", config.store.id},
                      {"from", from.empty() ? ordered_json(nullptr) : ordered_json(from)},
                      {"to", to.empty() ? ordered_json(nullptr) : ordered_json(to)},
                      {"min_group", kMinGroupForVerdict},
                      {"rules", std::move(list)}};
}

int kpis_actions_command(const AgentConfig& config, const KpisOptions& options) {
  std::optional<std::int64_t> from_day, to_day;
  if (!options.from.empty()) {
    auto d = parse_day_option(options.from, "--from");
    if (!d) return report_error(d.error());
    from_day = *d;
  }
  if (!options.to.empty()) {
    auto d = parse_day_option(options.to, "--to");
    if (!d) return report_error(d.error());
    to_day = *d;
  }
  if (from_day && to_day && *to_day < *from_day) {
    return report_error(
        make_error(ErrorKind::usage, "--to " + options.to + " is before --from " + options.from));
  }
  SystemClock clock;
  auto ledger = open_ledger_for_reading(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto report = gather_action_effects(config, ledger->db(), from_day, to_day, clock.now());
  if (!report) return report_error(report.error());
  const auto* effects = &report->effects;
  const auto holdout_of = [&](const std::string& id) { return report->holdout_of(id); };
  if (options.json) {
    fmt::print("{}\n", action_effects_json(config, *report, options.from, options.to)
                           .dump(2, ' ', false, ordered_json::error_handler_t::replace));
    return kExitOk;
  }

  fmt::print("Revenue per action of store {}{} (docs/kpis.md#revenue-per-action)\n\n", config.store.id,
             from_day || to_day
                 ? fmt::format(" from {} to {}", options.from.empty() ? "the start" : options.from,
                               options.to.empty() ? "today" : options.to)
                 : std::string(", all history"));
  if (effects->empty()) {
    fmt::print("No rule has sent anything (nor held anyone out) in this range yet.\n");
    return kExitOk;
  }
  fmt::print("{:<18} {:>7} {:>9} {:>9} {:>9} {:>12} {:>12} {:>14}  {}\n", "rule", "window", "sent to",
             "held out", "conv. %", "rev./cust.", "held rev.", "incremental", "95% interval");
  for (const auto& e : *effects) {
    const auto rate = [](const GroupEffect& g) {
      return g.conversion_rate ? fmt::format("{:.1f}", *g.conversion_rate * 100) : std::string("-");
    };
    fmt::print("{:<18} {:>7} {:>9} {:>9} {:>9} {:>12} {:>12} {:>14}  {}\n", e.rule_id,
               format_duration(e.window), e.treated.customers, e.holdout.customers,
               rate(e.treated) + "/" + rate(e.holdout), estimate_money(e.treated.revenue_per_customer),
               estimate_money(e.holdout.revenue_per_customer), estimate_money(e.incremental),
               e.incremental_low
                   ? estimate_money(e.incremental_low) + " to " + estimate_money(e.incremental_high)
                   : "-");
    fmt::print("{:<18} {}\n", "", verdict_text(e, holdout_of(e.rule_id)));
    if (e.open_windows > 0) {
      fmt::print("{:<18} {} send(s) still within their window: their purchases may still come\n", "",
                 e.open_windows);
    }
  }
  fmt::print(
      "\nconv. %: customers who bought within the window, sent to / held out; rev./cust.: revenue within the "
      "window per customer;\nincremental: (rev./cust. sent - held) x customers sent to, in the store's "
      "currency.\n");
  return kExitOk;
}

}  // namespace regua
