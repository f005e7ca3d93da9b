#include "local/identity/consents.hpp"

namespace regua {
namespace {

std::string customer_label(std::int64_t customer_id) {
  return "consent of customer " + std::to_string(customer_id);
}

}  // namespace

Result<bool> record_consent(sqlite::Db& db, std::int64_t customer_id, Channel channel, bool granted,
                            std::string_view source, Seconds at) {
  auto stmt = db.prepare(kRecordConsentSql);
  if (!stmt) return stmt.error().within(customer_label(customer_id));
  stmt->bind(1, customer_id)
      .bind(2, channel_name(channel))
      .bind(3, std::int64_t{granted ? 1 : 0})
      .bind(4, source)
      .bind(5, at.time_since_epoch().count());
  if (auto s = stmt->run(); !s) return s.error().within(customer_label(customer_id));
  return db.changes() > 0;
}

Result<bool> record_consent_now(sqlite::Db& db, std::int64_t customer_id, Channel channel, bool granted,
                                std::string_view source, Seconds now) {
  auto all = consents_of(db, customer_id);
  if (!all) return all.error();
  Seconds at = now;
  for (const auto& c : *all) {
    if (c.channel != channel) continue;
    if (c.granted == granted) return false;  // already so: its first moment and source stay
    if (c.at >= at) at = c.at + std::chrono::seconds{1};
  }
  return record_consent(db, customer_id, channel, granted, source, at);
}

Result<std::vector<ConsentRecord>> consents_of(sqlite::Db& db, std::int64_t customer_id) {
  auto stmt = db.prepare(
      "SELECT channel, granted, source, at FROM consents WHERE customer_id = ?1 "
      "ORDER BY channel");
  if (!stmt) return stmt.error().within(customer_label(customer_id));
  stmt->bind(1, customer_id);
  std::vector<ConsentRecord> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error().within(customer_label(customer_id));
    if (!*row) break;
    const auto channel = channel_from_name(stmt->text(0));
    if (!channel) continue;  // the table's CHECK allows only known channels
    out.push_back(ConsentRecord{*channel, stmt->int64(1) != 0, std::string(stmt->text(2)),
                                Seconds{std::chrono::seconds{stmt->int64(3)}}});
  }
  return out;
}

Result<std::optional<bool>> consent_for(sqlite::Db& db, std::int64_t customer_id, Channel channel) {
  auto all = consents_of(db, customer_id);
  if (!all) return all.error();
  for (const auto& c : *all) {
    if (c.channel == channel) return std::optional<bool>(c.granted);
  }
  return std::optional<bool>();
}

}  // namespace regua
