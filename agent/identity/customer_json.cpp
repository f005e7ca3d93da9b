#include "agent/identity/customer_json.hpp"

#include <algorithm>

#include "local/core/timestamp.hpp"

namespace regua {
namespace {

using nlohmann::ordered_json;

ordered_json customer_or_null(const std::optional<std::string>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}

}  // namespace

ordered_json customer_record_json(const CustomerRecord& r) {
  const auto& f = r.fields;
  ordered_json j{{"id", r.id}, {"pos_id", customer_or_null(r.pos_id)}, {"name", customer_or_null(f.name)}};
  j["phone"] = f.phone ? ordered_json(f.phone->raw) : ordered_json(nullptr);
  j["phone_e164"] =
      f.phone && f.phone->parsed.valid() ? ordered_json(f.phone->parsed.e164) : ordered_json(nullptr);
  j["phone_kind"] = f.phone ? ordered_json(phone_kind_name(f.phone->parsed.kind)) : ordered_json(nullptr);
  for (const auto& [key, field] :
       {std::pair{"email", &f.email}, {"cpf", &f.cpf}, {"birthday", &f.birthday}}) {
    j[key] = *field ? ordered_json((*field)->text) : ordered_json(nullptr);
    j[std::string(key) + "_valid"] = *field && (*field)->valid;
  }
  j["info_at"] = format_utc(from_unix(r.info_at));
  return j;
}

ordered_json customer_overview_json(const CustomerOverview& o) {
  ordered_json j = customer_record_json(o.record);
  j["sales"] = o.sales;
  j["total_cents"] = o.total_cents;
  j["last_sale_at"] =
      o.last_sale_at ? ordered_json(format_utc(from_unix(*o.last_sale_at))) : ordered_json(nullptr);
  return j;
}

std::int64_t suggested_keep(const DuplicateGroup& g) {
  const auto best = std::max_element(g.members.begin(), g.members.end(), [](const auto& a, const auto& b) {
    return a.sales != b.sales ? a.sales < b.sales : a.record.id > b.record.id;
  });
  return best->record.id;
}

ordered_json duplicates_json(const DuplicateReport& report) {
  ordered_json groups = ordered_json::array();
  for (const auto& g : report.groups) {
    ordered_json shared = ordered_json::array();
    for (const auto& s : g.shared)
      shared.push_back({{"key", shared_key_name(s.key)}, {"value", s.value}});
    ordered_json members = ordered_json::array();
    for (const auto& m : g.members)
      members.push_back(customer_overview_json(m));
    groups.push_back({{"shared", std::move(shared)},
                      {"suggested_keep", suggested_keep(g)},
                      {"customers", std::move(members)}});
  }
  ordered_json placeholders = ordered_json::array();
  for (const auto& p : report.placeholders)
    placeholders.push_back({{"key", shared_key_name(p.key)}, {"value", p.value}, {"records", p.records}});
  return {{"groups", std::move(groups)}, {"placeholders", std::move(placeholders)}};
}

ordered_json merge_outcome_json(const MergeOutcome& outcome) {
  ordered_json merged = ordered_json::array();
  for (const auto& m : outcome.merged)
    merged.push_back({{"id", m.id}, {"pos_id", customer_or_null(m.pos_id)}, {"sales_moved", m.sales_moved}});
  ordered_json consents = ordered_json::array();
  for (const auto& c : outcome.consents)
    consents.push_back({{"channel", channel_name(c.channel)}, {"granted", c.granted}});
  return {{"written", outcome.written},
          {"survivor", customer_record_json(outcome.after)},
          {"before", customer_record_json(outcome.before)},
          {"merged", std::move(merged)},
          {"sales_moved", outcome.sales_moved},
          {"survivor_sales", outcome.survivor_sales},
          {"consents", std::move(consents)}};
}

}  // namespace regua
