// `regua-agent customers --segment NAME [--csv|--json]`: the always-current list of a segment (a
// lifecycle cell, an RFM segment or one of the store's [[segment]]s) with what a campaign needs:
// name, mobile, e-mail, last purchase, purchases, total spent, cell and consent per channel
// (docs/cli.md, docs/segments.md).

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent/cli/analysis_commands.hpp"
#include "agent/cli/common.hpp"
#include "local/analysis/customer_stats.hpp"
#include "local/analysis/segment_catalog.hpp"
#include "local/analysis/segment_query.hpp"
#include "local/predict/predictions.hpp"

namespace regua {
namespace {

using nlohmann::ordered_json;

std::string text_or_empty(const std::optional<std::string>& v) {
  return v ? csv_field(*v) : "";
}

std::string segment_consent_text(const std::optional<bool>& v) {
  return v ? (*v ? "yes" : "no") : "";
}

ordered_json segment_json_or_null(const std::optional<std::string>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}

ordered_json segment_json_or_null(const std::optional<bool>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}

std::optional<Cents> average(const SegmentMember& m) {
  CustomerFigures f;
  f.purchases = m.purchases;
  f.total = m.total;
  return f.average_ticket();
}

std::string names_known(const AgentConfig& config, Language language) {
  std::string out;
  for (const auto& s : builtin_segments(language))
    out += (out.empty() ? "" : ", ") + s.name;
  for (const auto& c : config.segments.custom)
    out += ", " + c.name;
  return out;
}

}  // namespace

int customers_segment_command(const AgentConfig& config, const CustomersSegmentOptions& options) {
  if (options.json && options.csv)
    return report_error(make_error(ErrorKind::usage, "choose one of --json and --csv"));
  auto policy = analysis_policy(config);
  if (!policy) return report_error(policy.error());
  const auto segment = find_segment(options.segment, config.segments.custom, policy->language);
  if (!segment) {
    return report_error(
        make_error(ErrorKind::usage, "there is no segment \"" + options.segment +
                                         "\" (segments: " + names_known(config, policy->language) +
                                         "; a cell may also be named as `segments` shows it)"));
  }
  SystemClock clock;
  auto ledger = open_ledger_for_reading(config, clock);
  if (!ledger) return report_error(ledger.error());
  auto& db = ledger->db();
  if (auto s = db.exec("BEGIN"); !s) return report_error(s.error());
  const std::int64_t today = policy->local_day(clock.now());
  auto compiled = compile_segment(db, segment->filter, *policy, today);
  if (!compiled) return report_error(compiled.error().within("segment \"" + segment->name + "\" filter"));

  std::int64_t count = 0;
  ordered_json list = ordered_json::array();
  const auto cell_text = [&](const SegmentMember& m) {
    return m.cell
               ? std::pair{std::string(cell_code(*m.cell)), std::string(cell_name(*m.cell, policy->language))}
               : std::pair{std::string(), std::string()};
  };
  if (options.csv) {
    fmt::print(
        "customer_id,pos_id,name,mobile,email,last_purchase,purchases,total_spent,average_ticket,cell,cell_"
        "name,"
        "consent_sms,consent_whatsapp,consent_email\n");
  } else if (!options.json) {
    fmt::print("{:<8} {:<12} {:<24} {:<15} {:<28} {:<10} {:>5} {:>12}  {}\n", "id", "pos id", "name",
               "mobile", "e-mail", "last", "buys", "spent", "cell");
  }
  auto s = for_each_in_segment(db, *compiled, *policy, today, [&](const SegmentMember& m) -> Status {
    ++count;
    const auto [code, name] = cell_text(m);
    const std::string last = m.last_day ? format_local_day(*m.last_day) : "";
    const auto avg = average(m);
    if (options.csv) {
      fmt::print("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", m.id, text_or_empty(m.pos_id),
                 text_or_empty(m.name), text_or_empty(m.mobile), text_or_empty(m.email), last, m.purchases,
                 format_cents(m.total), avg ? format_cents(*avg) : "", code, csv_field(name),
                 segment_consent_text(m.sms), segment_consent_text(m.whatsapp),
                 segment_consent_text(m.email_consent));
    } else if (options.json) {
      list.push_back({{"customer_id", m.id},
                      {"pos_id", segment_json_or_null(m.pos_id)},
                      {"name", segment_json_or_null(m.name)},
                      {"mobile", segment_json_or_null(m.mobile)},
                      {"email", segment_json_or_null(m.email)},
                      {"last_purchase", m.last_day ? ordered_json(last) : ordered_json(nullptr)},
                      {"purchases", m.purchases},
                      {"total_spent_cents", m.total},
                      {"average_ticket_cents", avg ? ordered_json(*avg) : ordered_json(nullptr)},
                      {"cell", m.cell ? ordered_json(code) : ordered_json(nullptr)},
                      {"cell_name", m.cell ? ordered_json(name) : ordered_json(nullptr)},
                      {"consent",
                       {{"sms", segment_json_or_null(m.sms)},
                        {"whatsapp", segment_json_or_null(m.whatsapp)},
                        {"email", segment_json_or_null(m.email_consent)}}}});
    } else {
      fmt::print("{:<8} {:<12} {:<24} {:<15} {:<28} {:<10} {:>5} {:>12}  {}\n", m.id, m.pos_id.value_or(""),
                 m.name.value_or("").substr(0, 24), m.mobile.value_or("-"),
                 m.email.value_or("-").substr(0, 28), last, m.purchases, format_cents(m.total), name);
    }
    return {};
  });
  (void)db.exec("COMMIT");
  if (!s) return report_error(s.error());
  if (options.json) {
    ordered_json j;
    j["store"] = config.store.id;
    j["day"] = format_local_day(today);
    j["segment"] = {{"name", segment->name},
                    {"title", segment->title},
                    {"kind", segment->kind == SegmentDefinition::Kind::cell  ? "cell"
                             : segment->kind == SegmentDefinition::Kind::rfm ? "rfm"
                                                                             : "custom"},
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
