#include "agent/channels/inbound_opt_out.hpp"

#include "local/identity/consents.hpp"

namespace regua {

std::vector<std::string> mobile_candidates(std::string_view from) {
  if (from.starts_with("whatsapp:")) from.remove_prefix(9);
  if (from.starts_with('+')) from.remove_prefix(1);
  std::string digits;
  for (const char c : from) {
    if (c < '0' || c > '9') return {};
    digits += c;
  }
  if (digits.size() < 8 || digits.size() > 15) return {};
  std::vector<std::string> out{"+" + digits};
  // Brazil: 55, a two-digit area code, then 9 + eight digits for a mobile.
  if (digits.starts_with("55")) {
    if (digits.size() == 12 && digits[4] >= '6')
      out.push_back("+" + digits.substr(0, 4) + "9" + digits.substr(4));
    if (digits.size() == 13 && digits[4] == '9') out.push_back("+" + digits.substr(0, 4) + digits.substr(5));
  }
  return out;
}

Result<int> record_inbound_opt_out(sqlite::Db& db, std::string_view from, Channel channel, Seconds now) {
  const auto candidates = mobile_candidates(from);
  if (candidates.empty()) return 0;
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error();
  auto find = db.prepare("SELECT id FROM customers WHERE phone_e164 = ?1 AND phone_kind = 'mobile'");
  if (!find) return find.error();
  std::vector<std::int64_t> customers;
  for (const auto& number : candidates) {
    find->bind(1, number);
    for (;;) {
      auto row = find->step();
      if (!row) return row.error().within("finding the customers of an inbound reply");
      if (!*row) break;
      customers.push_back(find->int64(0));
    }
  }
  const std::string source = "inbound:" + std::string(channel_name(channel));
  for (const auto id : customers) {
    auto recorded = record_consent(db, id, channel, false, source, now);
    if (!recorded) return recorded.error();
  }
  if (auto s = txn->commit(); !s) return s.error();
  return static_cast<int>(customers.size());
}

}  // namespace regua
