#include "local/rules/guards.hpp"

#include <array>

#include "local/rules/durations.hpp"

namespace regua {
namespace {

constexpr std::array<std::string_view, 17> kCodes{
    "due",      "quiet_hours", "cap",          "late",   "no_mobile",      "no_email",
    "no_phone", "opted_out",   "holdout",      "bought", "sale_cancelled", "condition",
    "lapsed",   "rule_off",    "rule_changed", "merged", "customer_gone"};

}  // namespace

std::string_view reason_code(Reason reason) {
  return kCodes[static_cast<std::size_t>(reason)];
}

std::optional<Reason> reason_from_code(std::string_view code) {
  for (std::size_t i = 0; i < kCodes.size(); ++i) {
    if (kCodes[i] == code) return static_cast<Reason>(i);
  }
  return std::nullopt;
}

std::optional<Verdict> check_reachable(ContactChannel channel, const ContactFacts& facts) {
  switch (channel) {
    case ContactChannel::sms:
    case ContactChannel::whatsapp:
      if (!facts.mobile) return Verdict{Reason::no_mobile, "no valid mobile number on file"};
      return std::nullopt;
    case ContactChannel::email:
      if (!facts.email) return Verdict{Reason::no_email, "no valid e-mail address on file"};
      return std::nullopt;
    case ContactChannel::call:
      if (!facts.phone) return Verdict{Reason::no_phone, "no valid phone number on file"};
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Verdict> check_consent(ContactChannel channel, const ContactFacts& facts) {
  const std::optional<bool>* consent = nullptr;
  switch (channel) {
    case ContactChannel::sms:
      consent = &facts.sms;
      break;
    case ContactChannel::whatsapp:
      consent = &facts.whatsapp;
      break;
    case ContactChannel::email:
      consent = &facts.email_consent;
      break;
    case ContactChannel::call:
      return std::nullopt;
  }
  if (*consent && !**consent) {
    return Verdict{Reason::opted_out,
                   "the customer opted out of " + std::string(contact_channel_name(channel))};
  }
  return std::nullopt;
}

std::optional<std::string> recipient(ContactChannel channel, const ContactFacts& facts) {
  switch (channel) {
    case ContactChannel::sms:
    case ContactChannel::whatsapp:
      return facts.mobile;
    case ContactChannel::email:
      return facts.email;
    case ContactChannel::call:
      return facts.phone;
  }
  return std::nullopt;
}

bool too_late(Seconds planned, Seconds now, std::chrono::seconds max_lateness) {
  return now - planned > max_lateness;
}

bool in_holdout(const Rule& /*rule*/, std::int64_t /*customer_id*/) {
  return false;
}

}  // namespace regua
