#include "local/identity/quality.hpp"

#include <algorithm>
#include <map>

#include "local/core/ascii.hpp"

namespace regua {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

constexpr std::string_view kCustomerFigures = R"sql(
SELECT (SELECT count(*) FROM sales WHERE cancelled_at IS NULL),
       (SELECT count(*) FROM sales WHERE cancelled_at IS NULL AND customer_id IS NOT NULL),
       count(*),
       count(*) FILTER (WHERE phone_kind = 'mobile'),
       count(*) FILTER (WHERE phone_kind IN ('fixed_line', 'other')),
       count(*) FILTER (WHERE phone_kind = 'invalid'),
       count(*) FILTER (WHERE cpf IS NOT NULL AND cpf_valid = 1),
       count(*) FILTER (WHERE cpf IS NOT NULL AND cpf_valid = 0),
       count(*) FILTER (WHERE email IS NOT NULL AND email_valid = 1),
       count(*) FILTER (WHERE email IS NOT NULL AND email_valid = 0),
       count(*) FILTER (WHERE birthday IS NOT NULL AND birthday_valid = 1),
       count(*) FILTER (WHERE birthday IS NOT NULL AND birthday_valid = 0),
       (SELECT count(*) FROM quarantine)
FROM customers)sql";

}  // namespace

std::optional<double> share(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

std::string reason_pattern(std::string_view reason) {
  if (const auto detail = reason.rfind(" ("); detail != std::string_view::npos && reason.ends_with(")")) {
    reason = reason.substr(0, detail);
  }
  std::string out;
  int quoted = 0;
  for (std::size_t i = 0; i < reason.size(); ++i) {
    const char c = reason[i];
    const bool double_quote = c == '"';
    // An apostrophe opens a quoted character only where a value would start (after a space).
    const bool single_quote = c == '\'' && (i == 0 || reason[i - 1] == ' ');
    if (double_quote || single_quote) {
      const auto close = reason.find(c, i + 1);
      if (close == std::string_view::npos) {
        out += reason.substr(i);
        break;
      }
      const bool keep = double_quote && quoted++ == 0;
      out += c;
      if (keep) {
        for (const char k : reason.substr(i + 1, close - i - 1)) {
          if (!ascii::is_digit(k)) {
            out += k;
          } else if (out.back() != 'N') {
            out += 'N';
          }
        }
      } else {
        out += kEllipsis;
      }
      out += c;
      i = close;
    } else if (ascii::is_digit(c)) {
      if (i == 0 || !ascii::is_digit(reason[i - 1])) out += 'N';
    } else {
      out += c;
    }
  }
  return out;
}

Result<DataQuality> measure_quality(sqlite::Db& db) {
  DataQuality q;
  auto figures = db.prepare(kCustomerFigures);
  if (!figures) return figures.error();
  auto row = figures->step();
  if (!row) return row.error().within("measuring data quality");
  q.sales = figures->int64(0);
  q.identified_sales = figures->int64(1);
  q.customers = figures->int64(2);
  q.valid_mobile = figures->int64(3);
  q.phone_not_mobile = figures->int64(4);
  q.invalid_phone = figures->int64(5);
  q.valid_cpf = figures->int64(6);
  q.invalid_cpf = figures->int64(7);
  q.valid_email = figures->int64(8);
  q.invalid_email = figures->int64(9);
  q.valid_birthday = figures->int64(10);
  q.invalid_birthday = figures->int64(11);
  q.quarantined = figures->int64(12);
  figures->reset();

  auto duplicates = find_duplicates(db, false);
  if (!duplicates) return duplicates.error();
  q.duplicate_groups = static_cast<std::int64_t>(duplicates->groups.size());
  for (const auto& g : duplicates->groups)
    q.duplicate_records += static_cast<std::int64_t>(g.members.size());
  q.placeholders = std::move(duplicates->placeholders);

  auto reasons = db.prepare("SELECT reason, count(*) FROM quarantine GROUP BY reason");
  if (!reasons) return reasons.error();
  std::map<std::string, std::int64_t> by_pattern;
  for (;;) {
    auto r = reasons->step();
    if (!r) return r.error().within("measuring data quality");
    if (!*r) break;
    by_pattern[reason_pattern(reasons->text(0))] += reasons->int64(1);
  }
  for (auto& [reason, count] : by_pattern)
    q.quarantine_by_reason.push_back({reason, count});
  std::stable_sort(q.quarantine_by_reason.begin(), q.quarantine_by_reason.end(),
                   [](const auto& a, const auto& b) { return a.count > b.count; });
  return q;
}

}  // namespace regua
