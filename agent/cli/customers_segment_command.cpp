// `regua-agent customers --segment NAME [--csv|--json]`: the always-current list of a segment (a
// lifecycle cell, an RFM segment or one of the store's [[segment]]s) with what a campaign needs:
// name, mobile, e-mail, last purchase, purchases, total spent, cell and consent per channel
// (docs/cli.md, docs/segments.md). The rows come from segment_rows.hpp, shared with the web app.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent/cli/analysis_commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/cli/segment_rows.hpp"
#include "local/core/money.hpp"
#include "local/predict/predictions.hpp"

namespace regua {

int customers_segment_command(const AgentConfig& config, const CustomersSegmentOptions& options) {
  if (options.json && options.csv)
    return report_error(make_error(ErrorKind::usage, "choose one of --json and --csv"));
  auto policy = analysis_policy(config);
  if (!policy) return report_error(policy.error());
  auto segment = resolve_segment(config, *policy, options.segment);
  if (!segment) return report_error(segment.error());
  SystemClock clock;
  auto ledger = open_ledger_for_reading(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto& db = ledger->db();
  if (auto s = db.exec("BEGIN"); !s) return report_error(s.error());
  const std::int64_t today = policy->local_day(clock.now());

  std::int64_t count = 0;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  if (options.csv) {
    fmt::print("{}", segment_csv_header());
  } else if (!options.json) {
    fmt::print("{:<8} {:<12} {:<24} {:<15} {:<28} {:<10} {:>5} {:>12}  {}\n", "id", "pos id", "name",
               "mobile", "e-mail", "last", "buys", "spent", "cell");
  }
  auto s = for_each_segment_member(db, *segment, *policy, today, [&](const SegmentMember& m) -> Status {
    ++count;
    if (options.csv) {
      fmt::print("{}", segment_csv_row(m, *policy));
    } else if (options.json) {
      list.push_back(segment_member_json(m, *policy));
    } else {
      const std::string last = m.last_day ? format_local_day(*m.last_day) : "";
      fmt::print("{:<8} {:<12} {:<24} {:<15} {:<28} {:<10} {:>5} {:>12}  {}\n", m.id, m.pos_id.value_or(""),
                 m.name.value_or("").substr(0, 24), m.mobile.value_or("-"),
                 m.email.value_or("-").substr(0, 28), last, m.purchases, format_cents(m.total),
                 m.cell ? std::string(cell_name(*m.cell, policy->language)) : "");
    }
    return {};
  });
  (void)db.exec("COMMIT");
  if (!s) return report_error(s.error());
  if (options.json) {
    nlohmann::ordered_json j;
    j["store"] = config.store.id;
    j["day"] = format_local_day(today);
    j["segment"] = {{"name", segment->name},
                    {"title", segment->title},
                    {"kind", std::string(segment_kind_name(segment->kind))},
                    {"filter", segment->filter}};
    j["count"] = count;
    j["customers"] = std::move(list);
    fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  } else if (!options.csv) {
    fmt::print("{} customer(s) in \"{}\" ({}) on {}\n", count, segment->title, segment->filter,
               format_local_day(today));
  }
  return kExitOk;
}

}  // namespace regua
