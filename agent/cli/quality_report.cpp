#include "agent/cli/quality_report.hpp"

#include <cmath>

#include <fmt/format.h>

namespace regua {
namespace {

// Four decimals: enough for a share, and stable output for scripts that compare runs.
nlohmann::ordered_json share_json(std::int64_t part, std::int64_t whole) {
  const auto s = share(part, whole);
  if (!s) return nullptr;
  return std::round(*s * 10000) / 10000;
}

}  // namespace

std::string percent(std::optional<double> s) {
  if (!s) return "-";
  return fmt::format("{:.0f}%", *s * 100);
}

nlohmann::ordered_json render_quality_json(const DataQuality& q) {
  using nlohmann::ordered_json;
  ordered_json placeholders = ordered_json::array();
  for (const auto& p : q.placeholders) {
    placeholders.push_back({{"key", shared_key_name(p.key)}, {"value", p.value}, {"records", p.records}});
  }
  ordered_json reasons = ordered_json::array();
  for (const auto& r : q.quarantine_by_reason)
    reasons.push_back({{"reason", r.reason}, {"count", r.count}});
  return ordered_json{
      {"sales", q.sales},
      {"identified_sales", q.identified_sales},
      {"identified_sales_share", share_json(q.identified_sales, q.sales)},
      {"customers", q.customers},
      {"valid_mobile", q.valid_mobile},
      {"valid_mobile_share", share_json(q.valid_mobile, q.customers)},
      {"phone_not_mobile", q.phone_not_mobile},
      {"invalid_phone", q.invalid_phone},
      {"valid_cpf", q.valid_cpf},
      {"valid_cpf_share", share_json(q.valid_cpf, q.customers)},
      {"invalid_cpf", q.invalid_cpf},
      {"valid_email", q.valid_email},
      {"valid_email_share", share_json(q.valid_email, q.customers)},
      {"invalid_email", q.invalid_email},
      {"valid_birthday", q.valid_birthday},
      {"invalid_birthday", q.invalid_birthday},
      {"duplicate_groups", q.duplicate_groups},
      {"duplicate_records", q.duplicate_records},
      {"placeholders", std::move(placeholders)},
      {"quarantined", q.quarantined},
      {"quarantined_by_reason", std::move(reasons)},
  };
}

std::string render_quality_line(const DataQuality& q) {
  return fmt::format(
      "{} of sales identified, {} of customers with a mobile, {} with a CPF, {} with an e-mail; "
      "{} duplicate group(s) (`regua-agent doctor` says what to do)",
      percent(share(q.identified_sales, q.sales)), percent(share(q.valid_mobile, q.customers)),
      percent(share(q.valid_cpf, q.customers)), percent(share(q.valid_email, q.customers)),
      q.duplicate_groups);
}

}  // namespace regua
