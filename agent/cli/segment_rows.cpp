#include "agent/cli/segment_rows.hpp"

#include <fmt/format.h>

#include "agent/cli/analysis_commands.hpp"
#include "local/analysis/customer_stats.hpp"
#include "local/core/money.hpp"
#include "local/predict/predictions.hpp"

namespace regua {
namespace {

using nlohmann::ordered_json;

std::string segment_text_or_empty(const std::optional<std::string>& v) {
  return v ? csv_field(*v) : "";
}

std::string segment_consent_text(const std::optional<bool>& v) {
  return v ? (*v ? "yes" : "no") : "";
}

ordered_json segment_or_null(const std::optional<std::string>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}

ordered_json segment_or_null(const std::optional<bool>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}

std::optional<Cents> segment_average_ticket(const SegmentMember& m) {
  CustomerFigures f;
  f.purchases = m.purchases;
  f.total = m.total;
  return f.average_ticket();
}

std::pair<std::string, std::string> segment_cell_text(const SegmentMember& m, const SegmentPolicy& policy) {
  return m.cell ? std::pair{std::string(cell_code(*m.cell)), std::string(cell_name(*m.cell, policy.language))}
                : std::pair{std::string(), std::string()};
}

std::string segment_names_known(const AgentConfig& config, Language language) {
  std::string out;
  for (const auto& s : builtin_segments(language))
    out += (out.empty() ? "" : ", ") + s.name;
  for (const auto& c : config.segments.custom)
    out += ", " + c.name;
  return out;
}

}  // namespace

Result<SegmentDefinition> resolve_segment(const AgentConfig& config, const SegmentPolicy& policy,
                                          std::string_view name) {
  auto segment = find_segment(name, config.segments.custom, policy.language);
  if (!segment) {
    return make_error(ErrorKind::usage, "there is no segment \"" + std::string(name) +
                                            "\" (segments: " + segment_names_known(config, policy.language) +
                                            "; a cell may also be named as `segments` shows it)");
  }
  return std::move(*segment);
}

std::string_view segment_kind_name(SegmentDefinition::Kind kind) {
  switch (kind) {
    case SegmentDefinition::Kind::cell:
      return "cell";
    case SegmentDefinition::Kind::rfm:
      return "rfm";
    case SegmentDefinition::Kind::custom:
      return "custom";
  }
  return "custom";
}

std::string segment_csv_header() {
  return "customer_id,pos_id,name,mobile,email,last_purchase,purchases,total_spent,average_ticket,cell,cell_"
         "name,"
         "consent_sms,consent_whatsapp,consent_email\n";
}

std::string segment_csv_row(const SegmentMember& m, const SegmentPolicy& policy) {
  const auto [code, name] = segment_cell_text(m, policy);
  const std::string last = m.last_day ? format_local_day(*m.last_day) : "";
  const auto avg = segment_average_ticket(m);
  return fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", m.id, segment_text_or_empty(m.pos_id),
                     segment_text_or_empty(m.name), segment_text_or_empty(m.mobile),
                     segment_text_or_empty(m.email), last, m.purchases, format_cents(m.total),
                     avg ? format_cents(*avg) : "", code, csv_field(name), segment_consent_text(m.sms),
                     segment_consent_text(m.whatsapp), segment_consent_text(m.email_consent));
}

ordered_json segment_member_json(const SegmentMember& m, const SegmentPolicy& policy) {
  const auto [code, name] = segment_cell_text(m, policy);
  const auto avg = segment_average_ticket(m);
  return {{"customer_id", m.id},
          {"pos_id", segment_or_null(m.pos_id)},
          {"name", segment_or_null(m.name)},
          {"mobile", segment_or_null(m.mobile)},
          {"email", segment_or_null(m.email)},
          {"last_purchase", m.last_day ? ordered_json(format_local_day(*m.last_day)) : ordered_json(nullptr)},
          {"purchases", m.purchases},
          {"total_spent_cents", m.total},
          {"average_ticket_cents", avg ? ordered_json(*avg) : ordered_json(nullptr)},
          {"cell", m.cell ? ordered_json(code) : ordered_json(nullptr)},
          {"cell_name", m.cell ? ordered_json(name) : ordered_json(nullptr)},
          {"consent",
           {{"sms", segment_or_null(m.sms)},
            {"whatsapp", segment_or_null(m.whatsapp)},
            {"email", segment_or_null(m.email_consent)}}}};
}

Status for_each_segment_member(sqlite::Db& db, const SegmentDefinition& segment, const SegmentPolicy& policy,
                               std::int64_t today, const std::function<Status(const SegmentMember&)>& each) {
  auto compiled = compile_segment(db, segment.filter, policy, today);
  if (!compiled) return compiled.error().within("segment \"" + segment.name + "\" filter");
  return for_each_in_segment(db, *compiled, policy, today, each);
}

}  // namespace regua
