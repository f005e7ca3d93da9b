#include "agent/http/web_automations.hpp"

#include <map>

#include "agent/cli/analysis_commands.hpp"
#include "agent/rules/rule_switches.hpp"
#include "agent/rules/store_rules.hpp"
#include "local/predict/predictions.hpp"
#include "local/scheduler/decisions.hpp"

namespace regua {
namespace {

using nlohmann::ordered_json;

// How many days the page looks back when it is not told.
constexpr std::int64_t kAutomationsDays = 90;

}  // namespace

Result<ordered_json> automations_json(sqlite::Db& db, const AgentConfig& config, const SegmentPolicy& policy,
                                      const std::string& from, const std::string& to, Seconds now) {
  std::int64_t to_day = policy.local_day(now);
  if (!to.empty()) {
    auto d = parse_day_option(to, "to");
    if (!d) return d.error();
    to_day = *d;
  }
  std::int64_t from_day = to_day - (kAutomationsDays - 1);
  if (!from.empty()) {
    auto d = parse_day_option(from, "from");
    if (!d) return d.error();
    from_day = *d;
  }
  if (to_day < from_day)
    return make_error(ErrorKind::usage, "\"to\" " + format_local_day(to_day) + " is before \"from\" " +
                                            format_local_day(from_day));
  auto rules = load_store_rules(config);
  if (!rules) return rules.error();
  auto switched_off = rules_switched_off(db);
  if (!switched_off) return switched_off.error();
  apply_rule_switches(*rules, *switched_off);
  const StoreZone& zone = *rules->zone;
  auto effects = gather_action_effects(config, db, from_day, to_day, now);
  if (!effects) return effects.error();
  const auto effects_j =
      action_effects_json(config, *effects, format_local_day(from_day), format_local_day(to_day));
  if (auto s = db.exec("BEGIN"); !s) return s.error();
  auto counts = count_decisions(db, zone.to_utc(from_day, std::chrono::seconds{0}),
                                zone.to_utc(to_day + 1, std::chrono::seconds{0}));
  (void)db.exec("COMMIT");
  if (!counts) return counts.error();

  // Every rule defined (running or off), then any other rule with decisions in the range.
  std::map<std::string, ordered_json, std::less<>> by_id;
  std::vector<std::string> order;
  const auto entry = [&](const std::string& id) -> ordered_json& {
    auto [it, added] = by_id.try_emplace(id, ordered_json{{"id", id},
                                                          {"description", nullptr},
                                                          {"running", false},
                                                          {"switched_off", false},
                                                          {"action", nullptr},
                                                          {"channel", nullptr},
                                                          {"decisions", ordered_json::object()},
                                                          {"skipped_by_reason", ordered_json::object()},
                                                          {"effect", nullptr}});
    if (added) order.push_back(id);
    return it->second;
  };
  for (const auto& r : rules->settings.rules) {
    auto& j = entry(r.id);
    j["description"] = r.description;
    j["running"] = true;
    j["action"] = action_kind_name(r.action.kind);
    j["channel"] = contact_channel_name(r.action.channel);
  }
  for (const auto& id : rules->off)
    entry(id);
  for (const auto& id : *switched_off)
    if (by_id.count(id) != 0) entry(id)["switched_off"] = true;
  for (const auto& c : *counts) {
    auto& j = entry(c.rule_id);
    auto& d = j["decisions"][c.decision];
    d = (d.is_number() ? d.get<std::int64_t>() : 0) + c.count;
    if (c.decision == "skipped") j["skipped_by_reason"][c.reason] = c.count;
  }
  for (const auto& e : effects_j["rules"])
    entry(e["rule"].get<std::string>())["effect"] = e;
  ordered_json list = ordered_json::array();
  for (const auto& id : order)
    list.push_back(std::move(by_id[id]));
  return ordered_json{{"from", format_local_day(from_day)},
                      {"to", format_local_day(to_day)},
                      {"min_group", effects_j["min_group"]},
                      {"rules", std::move(list)}};
}

Result<ordered_json> simulate_json(sqlite::Db& db, const AgentConfig& config, const std::string& from,
                                   const std::string& to) {
  auto from_day = parse_day_option(from, "from");
  if (!from_day) return from_day.error();
  auto to_day = parse_day_option(to, "to");
  if (!to_day) return to_day.error();
  if (*to_day < *from_day)
    return make_error(ErrorKind::usage, "\"to\" " + to + " is before \"from\" " + from +
                                            ": give the first and the last day to replay");
  auto rules = load_store_rules(config);
  if (!rules) return rules.error();
  auto run =
      run_simulation(config, db, *rules, *from_day, *to_day, [](const DecisionView&) { return Status{}; });
  if (!run) return run.error();
  return ordered_json{{"from", from},
                      {"to", to},
                      {"customers", run->summary.customers},
                      {"sales", run->summary.sales},
                      {"cancellations", run->summary.cancellations},
                      {"decisions", run->summary.decisions},
                      {"totals", simulation_totals_json(*run)}};
}

}  // namespace regua
