// `regua-agent why CUSTOMER [--json]`: a customer's timeline of rule decisions, each with its reason
// (docs/cli.md), so that staff and support can answer "why did (or didn't) she get that SMS?".

#include <fmt/format.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/cli/decision_format.hpp"
#include "agent/rules/tz_store_zone.hpp"

namespace regua {

int why_command(const AgentConfig& config, const WhyOptions& options) {
  const TzStoreZone zone(*config.store.zone);
  SystemClock clock;
  auto ledger = open_ledger_for_reading(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto& db = ledger->db();
  // The POS id first; "#N" (how outputs name a customer without one) is the ledger's number.
  auto find = db.prepare(
      "SELECT id, pos_id, name FROM customers WHERE pos_id = ?1 "
      "UNION ALL SELECT id, pos_id, name FROM customers WHERE ?1 = '#' || id LIMIT 1");
  if (!find) return report_error(find.error());
  // `customers merge` names customers pos:ID: accepted here too.
  const std::string_view ref = std::string_view(options.customer).starts_with("pos:")
                                   ? std::string_view(options.customer).substr(4)
                                   : std::string_view(options.customer);
  find->bind(1, ref);
  auto row = find->step();
  if (!row) return report_error(row.error());
  if (!*row) {
    return report_error(
        make_error(ErrorKind::usage, "no customer \"" + options.customer +
                                         "\" in the ledger: give the POS's customer id (as in "
                                         "its sales), or #N for the ledger's number"));
  }
  const std::int64_t id = find->int64(0);
  const auto pos_id = find->optional_text(1);
  const auto name = find->optional_text(2);
  find->reset();

  std::int64_t count = 0;
  std::string text;
  auto s = for_each_decision(db, id, [&](const DecisionView& d) -> Status {
    ++count;
    if (options.json) {
      text += json_line(decision_json(d, zone));
    } else {
      text += decision_text(d, zone, false);
    }
    return {};
  });
  if (!s) return report_error(s.error());
  if (options.json) {
    fmt::print("{}", text);
    return kExitOk;
  }
  fmt::print("{}{}: {} rule decision(s)\n", name ? *name + " " : "",
             pos_id ? "(" + *pos_id + ")" : "(#" + std::to_string(id) + ")", count);
  if (count == 0) {
    fmt::print(
        "no rule has decided anything about this customer yet (is `regua-agent run` running with "
        "rules?)\n");
    return kExitOk;
  }
  fmt::print("\n{}", text);
  return kExitOk;
}

}  // namespace regua
