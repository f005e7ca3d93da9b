#include "local/scheduler/send_check.hpp"

#include "local/identity/consents.hpp"

namespace regua {

Result<std::optional<SendRefusal>> check_before_send(sqlite::Db& db, const OutgoingMessage& m) {
  auto stmt = db.prepare(
      "SELECT CASE WHEN phone_kind = 'mobile' THEN phone_e164 END, CASE WHEN email_valid = 1 THEN email END "
      "FROM customers WHERE id = ?1");
  if (!stmt) return stmt.error().within("checking message " + std::to_string(m.id) + " before sending");
  stmt->bind(1, m.customer_id);
  auto row = stmt->step();
  if (!row) return row.error().within("checking message " + std::to_string(m.id) + " before sending");
  if (!*row) {
    return std::optional<SendRefusal>(SendRefusal{
        "customer_gone", "the customer record is gone (merged or erased) since the message was prepared"});
  }
  const auto mobile = stmt->optional_text(0);
  const auto email = stmt->optional_text(1);
  stmt->reset();

  const auto channel = channel_from_name(m.channel);
  if (!channel) {
    return make_error(ErrorKind::internal,
                      "message " + std::to_string(m.id) + " has an unknown channel \"" + m.channel + "\"");
  }
  auto consent = consent_for(db, m.customer_id, *channel);
  if (!consent) return consent.error();
  if (*consent && !**consent) {
    return std::optional<SendRefusal>(SendRefusal{
        "opted_out", "the customer opted out of " + m.channel + " after the message was prepared"});
  }
  const auto& current = *channel == Channel::email ? email : mobile;
  if (!current || *current != m.recipient) {
    return std::optional<SendRefusal>(
        SendRefusal{"contact_changed",
                    std::string(*channel == Channel::email ? "the e-mail address" : "the mobile number") +
                        " it was prepared for is no longer the customer's (changed or erased)"});
  }
  return std::optional<SendRefusal>{};
}

}  // namespace regua
